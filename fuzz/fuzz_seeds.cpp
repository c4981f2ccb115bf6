// SPDX-License-Identifier: GPL-3.0-or-later
// Writes small synthetic seed inputs for the fuzz targets: fuzz_seeds <dir> creates
// <dir>/<target>/seed_* (audio in every container libsndfile writes, zip and legacy
// checkpoints, safetensors, a model card and a taxonomy). tools/fuzz.sh adds real files.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sndfile.h>

#include "core/analysis/serialize.h"
#include "core/catalog/catalog.h"
#include "core/io/safetensors.h"
#include "core/io/zip_reader.h"
#include "tests/core/test_torch_checkpoint_builder.h"

namespace fs = std::filesystem;

namespace {

void writeText(const fs::path& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// 0.1 s of a 440 Hz sine in `format`; silently skipped when libsndfile cannot write it.
void writeAudio(const fs::path& path, int format, int rate, int channels) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!file) return;
    const int frames = rate / 10;
    std::vector<float> data(size_t(frames * channels));
    for (int i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c) data[size_t(i * channels + c)] = 0.5f * float(std::sin(0.0627 * i * (c + 1)));
    sf_writef_float(file, data.data(), frames);
    sf_close(file);
}

void audioSeeds(const fs::path& dir) {
    writeAudio(dir / "seed.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1);
    writeAudio(dir / "seed_float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 2);
    writeAudio(dir / "seed.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 8000, 1);
    writeAudio(dir / "seed.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 8000, 1);
    writeAudio(dir / "seed.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 8000, 1);
    writeAudio(dir / "seed.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 8000, 1);
    writeAudio(dir / "seed.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 8000, 1);
    writeAudio(dir / "seed.rf64", SF_FORMAT_RF64 | SF_FORMAT_PCM_16, 8000, 1);
    writeAudio(dir / "seed.au", SF_FORMAT_AU | SF_FORMAT_ULAW, 8000, 1);
    writeAudio(dir / "seed.caf", SF_FORMAT_CAF | SF_FORMAT_ALAC_16, 8000, 1);
    writeAudio(dir / "seed.w64", SF_FORMAT_W64 | SF_FORMAT_IMA_ADPCM, 8000, 1);
}

void checkpointSeeds(const fs::path& dir) {
    using namespace tagscope::test;
    const std::vector<FakeStorage> storages{
        {"0", "FloatStorage", 6, rawBytes<float>({1, 2, 3, 4, 5, 6})},
        {"1", "HalfStorage", 2, rawBytes<uint16_t>({0x3c00, 0xc000})},
    };
    const std::vector<FakeTensor> tensors{
        {"layer.weight", "0", 0, {2, 3}, {3, 1}},
        {"layer.weight_t", "0", 0, {3, 2}, {1, 3}},
        {"layer.bias", "1", 0, {2}, {1}},
    };
    const auto crc = [](const std::string& s) { return tagscope::io::crc32(s); };
    writeText(dir / "seed_zip.pth", zipCheckpoint(stateDictPickle(tensors, storages, false), storages, crc));
    writeText(dir / "seed_legacy.pth", legacyCheckpoint(stateDictPickle(tensors, storages, true), storages));
}

void safetensorsSeeds(const fs::path& dir) {
    tagscope::TensorMap tensors;
    tensors["a"] = {{2, 2}, {1, 2, 3, 4}};
    tensors["b.bias"] = {{3}, {0.5f, -1, 2}};
    (void)tagscope::io::writeSafetensors(dir / "seed.safetensors", tensors, {{"format", "pt"}});
    // Other dtypes, written by hand.
    const std::string header =
        R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"i":{"dtype":"I64","shape":[1],"data_offsets":[4,12]}})";
    std::string bytes(8, '\0');
    const uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) bytes[size_t(i)] = char((n >> (8 * i)) & 0xff);
    bytes += header + std::string("\x00\x3c\x00\xc0", 4) + std::string("\x07\0\0\0\0\0\0\0", 8);
    writeText(dir / "seed_dtypes.safetensors", bytes);
}

void jsonSeeds(const fs::path& cards, const fs::path& taxonomies) {
    writeText(cards / "seed_card.json", R"({"id":"x","name":"X","architecture":"fcn","sample_rate":16000,
"chunk_seconds":3.0,"mel":{"n_fft":512,"hop_length":256,"f_min":0,"f_max":8000,"n_mels":96},
"vocabularies":[{"name":"v","tags":["guitar","piano"]},{"name":"w","file":"tags.txt"}],
"taxonomy":"t.json","weights":"w.safetensors","hyper_parameters":{"n_channels":[1,2]}})");
    writeText(cards / "seed_card_track_chunks.json", R"({"id":"s","architecture":"mtt","sample_rate":16000,
"chunk_samples":79872,"track_chunk_samples":463872,"mel":{"n_fft":512,"hop_length":256,"f_max":8000,"n_mels":96},
"vocabularies":[{"name":"v","tags":["guitar","piano"]}],"weights":"w.safetensors"})");
    writeText(taxonomies / "seed_taxonomy.json", R"({"vocabulary":"v","groups":[
{"name":"strings","kind":"instrument","members":["guitar","mtat:guitar"]},{"name":"keys","members":["piano"]}]})");
}

// One analysed track (3 chunks x 3 tags), as `tag` produces it.
tagscope::analysis::TrackAnalysis seedAnalysis() {
    tagscope::analysis::TrackAnalysis a;
    a.file = "/music/a.flac";
    a.modelId = "seed";
    a.tagNames = {"rock", "piano", "genre---jazz"};
    a.vocabularyOfTag = {"mtat", "mtat", "mtg_jamendo"};
    a.sampleRate = 16000;
    a.durationSeconds = 9.0;
    a.chunkSeconds = a.hopSeconds = 3.0;
    a.taggram.chunkStartSeconds = {0, 3, 6};
    a.taggram.chunkEndSeconds = {3, 6, 9};
    a.taggram.tagCount = 3;
    a.taggram.values = {0.1f, 0.9f, 0.2f, 0.3f, 0.8f, 0.1f, 0.7f, 0.2f, 0.5f};
    a.trackScores = {0.37f, 0.63f, 0.27f};
    return a;
}

// A catalog holding that analysis and its evidence.
void catalogSeeds(const fs::path& dir) {
    using namespace tagscope;
    const fs::path db = dir / "seed.sqlite";
    {
        auto cat = catalog::Catalog::open(db);
        if (!cat) return;
        const auto a = seedAnalysis();
        const catalog::TrackFile track{a.file, 1234, 1700000000000000000, std::string(64, 'a')};
        const catalog::AnalysisKey key{track.audioHash, std::string(64, 'b'), "{}"};
        (void)cat->storeAnalysis(track, key, a, catalog::evidenceFromTaggram(a, 3, 2));
    }
    // NOTE: the WAL is checkpointed when the last connection closes; only the main file is a seed.
    std::error_code ec;
    for (const char* suffix : {"-wal", "-shm"}) fs::remove(db.string() + suffix, ec);
}

// Audio files for the tag writer: first byte = container index (see fuzz_tag_writer.cpp).
void tagWriterSeeds(const fs::path& dir, const fs::path& audio) {
    const std::pair<const char*, char> files[] = {{"seed.flac", 0}, {"seed.ogg", 1}, {"seed.opus", 2},
                                                  {"seed.mp3", 3}, {"seed.wav", 4}, {"seed.aiff", 5}};
    for (const auto& [name, index] : files) {
        std::ifstream in(audio / name, std::ios::binary);
        if (!in) continue;
        const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        writeText(dir / (std::string("seed_") + name), std::string(1, index) + body);
    }
}

void journalSeeds(const fs::path& dir) {
    writeText(dir / "seed_journal.jsonl",
              R"({"v":1,"file":"/music/a.flac","original":{"size":10,"mtime_ns":5,"sha256":"ab","fields":{"GENRE":["rock"]}},)"
              R"("written":{"size":12,"sha256":"cd","fields":{"GENRE":["rock","jazz"],"TAGSCOPE":["{}"]}}})"
              "\n{\"v\":1,\"file_hex\":\"2f61ff\",\"orig");
    const auto record = tagscope::analysis::toJson(seedAnalysis(), nullptr);
    writeText(dir / "seed_export.json", record.dump());
    writeText(dir / "seed_export.jsonl", record.dump() + "\n" + record.dump().substr(0, 40));
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_seeds <dir>\n");
        return 2;
    }
    const fs::path root = argv[1];
    for (const char* t : {"audio_decoder", "checkpoint", "safetensors", "model_card", "taxonomy", "catalog",
                          "tag_writer", "journal"})
        fs::create_directories(root / t);
    audioSeeds(root / "audio_decoder");
    checkpointSeeds(root / "checkpoint");
    safetensorsSeeds(root / "safetensors");
    jsonSeeds(root / "model_card", root / "taxonomy");
    catalogSeeds(root / "catalog");
    tagWriterSeeds(root / "tag_writer", root / "audio_decoder");
    journalSeeds(root / "journal");
    return 0;
}
