// SPDX-License-Identifier: GPL-3.0-or-later
// Crafted files for every parser: sizes a header declares but the file does not hold, counts whose
// arithmetic overflows, values out of range, nesting bombs. Each must give an Error naming the
// file, never a crash, an exception or an allocation of what the header claims.
#include <gtest/gtest.h>

#include <fstream>

#include "core/audio/audio_checks.h"
#include "core/audio/audio_decoder.h"
#include "core/io/bounded_json.h"
#include "core/cards/model_card_parser.h"
#include "core/io/pickle_reader.h"
#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/io/zip_reader.h"
#include "core/tags/taxonomy_parser.h"
#include "tests/core/test_audio_files.h"
#include "tests/core/test_torch_checkpoint_builder.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

using test::FakeStorage;
using test::FakeTensor;
using test::PickleBuilder;

std::string le(uint64_t v, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += char((v >> (8 * i)) & 0xff);
    return s;
}

::testing::AssertionResult failsWith(const auto& result, const std::string& expected) {
    if (result) return ::testing::AssertionFailure() << "succeeded, expected an error containing '" << expected << "'";
    if (result.error().message.find(expected) == std::string::npos)
        return ::testing::AssertionFailure() << "message '" << result.error().message << "' lacks '" << expected << "'";
    return ::testing::AssertionSuccess();
}

// ---- audio ----

// Sets the 36-bit "total samples" of a FLAC STREAMINFO block (the first metadata block).
void patchFlacTotalSamples(std::string& flac, uint64_t total) {
    ASSERT_EQ(flac.substr(0, 4), "fLaC");
    ASSERT_EQ(flac[4] & 0x7f, 0) << "first metadata block is not STREAMINFO";
    // STREAMINFO starts at byte 8; bytes 18..25 hold rate(20) channels(3) bits(5) total(36).
    uint64_t packed = 0;
    for (int i = 0; i < 8; ++i) packed = (packed << 8) | uint8_t(flac[size_t(18 + i)]);
    packed = (packed & ~((uint64_t(1) << 36) - 1)) | (total & ((uint64_t(1) << 36) - 1));
    for (int i = 7; i >= 0; --i, packed >>= 8) flac[size_t(18 + i)] = char(packed & 0xff);
}

TEST(CraftedAudio, FlacClaimingTwoToThe36SamplesIsTruncatedNotAllocated) {
    const auto dir = test::scratchDir("crafted_flac");
    const auto path = dir / "three_seconds.flac";
    ASSERT_TRUE(test::writeSound(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 1,
                                 test::sineFrames(44100, 1, 3 * 44100, 440.0)));
    std::string bytes;
    {
        std::ifstream in(path, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    patchFlacTotalSamples(bytes, (uint64_t(1) << 36) - 1);
    const auto huge = dir / "claims_2e36_samples.flac";
    test::writeBytes(huge, bytes);

    auto info = audio::probeAudio(huge);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->frames, (int64_t(1) << 36) - 1); // what the header says...
    for (int rate : {0, 16000}) {
        audio::DecodeOptions options;
        options.targetSampleRate = rate;
        auto decoded = audio::decodeAudio(huge, options); // ...is not what gets allocated
        ASSERT_TRUE(failsWith(decoded, "truncated")) << "rate " << rate;
        EXPECT_NE(decoded.error().message.find("claims_2e36_samples.flac"), std::string::npos);
    }
}

TEST(CraftedAudio, HonestFlacStillDecodesCompletely) {
    const auto path = test::scratchDir("crafted_flac_honest") / "ok.flac";
    ASSERT_TRUE(test::writeSound(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 8000, 1, test::sineFrames(8000, 1, 8000, 440.0)));
    auto decoded = audio::decodeAudio(path);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->samples.size(), 8000u);
}

TEST(CraftedAudio, LogNumbersTooLongForInt64DoNotThrow) {
    const std::string log = "data : 99999999999999999999999999 (should be 100)\n";
    Result<void> checked;
    EXPECT_NO_THROW(checked = audio::detail::checkHeaderAgainstLog("x.wav", log, 50, 8000));
    EXPECT_TRUE(failsWith(checked, "truncated"));
    const std::string rf64 = "Calculated frame count 10 does not match value from 'ds64' chunk of 99999999999999999999999\n";
    EXPECT_NO_THROW(checked = audio::detail::checkHeaderAgainstLog("x.rf64", rf64, 10, 8000));
    EXPECT_TRUE(failsWith(checked, "truncated"));
}

TEST(CraftedAudio, WavDeclaringFourGigabytesOfDataIsTruncated) {
    const auto path = test::scratchDir("crafted_wav_huge") / "huge.wav";
    test::writeBytes(path, test::rawWav(1, 1, 8000, 0xFFFFFFF0u, 16000));
    auto decoded = audio::decodeAudio(path);
    ASSERT_FALSE(decoded);
    EXPECT_NE(decoded.error().message.find("huge.wav"), std::string::npos);
}

// ---- safetensors ----

std::string safetensors(const std::string& header, const std::string& data = {}) {
    return le(header.size(), 8) + header + data;
}

TEST(CraftedSafetensors, ShapeWhoseElementCountOverflowsIsRejected) {
    // 2^32 * 2^32 * 4 wraps to 0 in 64 bits, which would "match" an empty byte range.
    EXPECT_TRUE(failsWith(io::parseSafetensors(safetensors(
                              R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,0]}})"),
                              "wrap.safetensors"),
                          "too large"));
    // 2^62 elements of 4 bytes wrap to 0 bytes.
    EXPECT_TRUE(failsWith(io::parseSafetensors(safetensors(
                              R"({"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})"),
                              "wrap.safetensors"),
                          "does not match"));
    EXPECT_TRUE(failsWith(io::parseSafetensors(safetensors(
                              R"({"w":{"dtype":"F32","shape":[9223372036854775808,0],"data_offsets":[0,0]}})"),
                              "wrap.safetensors"),
                          "too large"));
}

TEST(CraftedSafetensors, OffsetsAndShapesOfTheWrongTypeAreRejected) {
    for (const char* header : {R"({"w":{"dtype":"F32","shape":[1e300],"data_offsets":[0,4]}})",
                               R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})",
                               R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})",
                               R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,1e30]}})",
                               R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})",
                               R"({"w":[1,2,3]})", R"({"w":{"dtype":7,"shape":[1],"data_offsets":[0,4]}})"}) {
        auto read = io::parseSafetensors(safetensors(header, std::string(4, '\0')), "typed.safetensors");
        EXPECT_FALSE(read) << header;
        if (!read) {
            EXPECT_NE(read.error().message.find("typed.safetensors"), std::string::npos);
        }
    }
}

TEST(CraftedSafetensors, HeaderLengthBeyondTheFileAndNestingBombsAreRejected) {
    EXPECT_TRUE(failsWith(io::parseSafetensors(le(~uint64_t(0), 8) + "{}", "len.safetensors"), "exceeds"));
    const std::string bomb = R"({"__metadata__":{"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}}";
    EXPECT_TRUE(failsWith(io::parseSafetensors(safetensors(bomb), "deep.safetensors"), "nested"));
}

// ---- zip ----

TEST(CraftedZip, DirectoryOffsetAndCountOverflowsAreRejected) {
    std::string eocd = "PK\x05\x06" + le(0, 2) + le(0, 2) + le(0xffff, 2) + le(0xffff, 2);
    // Directory size + offset wrap around 2^32 in 32-bit arithmetic.
    auto wrapped = io::ZipArchive::parse("PK\x03\x04" + std::string(60, 'x') + eocd + le(0x20, 4) + le(0xfffffff0u, 4) + le(0, 2),
                                         "wrap.zip");
    EXPECT_TRUE(failsWith(wrapped, "outside the file"));

    // ZIP64 end record claiming 2^60 entries in a 46-byte directory, and a 2^64-16 offset.
    const std::string dirEntry = "PK\x01\x02" + std::string(42, '\0');
    std::string file = "PK\x03\x04" + std::string(26, '\0') + dirEntry;
    const uint64_t z64 = file.size();
    for (const auto& [count, offset] : {std::pair<uint64_t, uint64_t>{uint64_t(1) << 60, 30},
                                        std::pair<uint64_t, uint64_t>{1, ~uint64_t(0) - 15}}) {
        std::string f = file + "PK\x06\x06" + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4) + le(count, 8) +
                        le(count, 8) + le(46, 8) + le(offset, 8);
        f += "PK\x06\x07" + le(0, 4) + le(z64, 8) + le(1, 4);
        f += "PK\x05\x06" + le(0, 2) + le(0, 2) + le(0xffff, 2) + le(0xffff, 2) + le(0xffffffffu, 4) +
             le(0xffffffffu, 4) + le(0, 2);
        auto zip = io::ZipArchive::parse(f, "zip64.zip");
        EXPECT_FALSE(zip) << "count " << count << " offset " << offset;
    }
}

TEST(CraftedZip, EntryWithHugeSizesOrOffsetIsRejectedOnRead) {
    const auto crc = [](const std::string& s) { return io::crc32(s); };
    std::string zip = test::zipStored({{"a/data.pkl", "xyz"}}, crc);
    // Patch the central directory's sizes (offsets 20, 24) and local header offset (42).
    const size_t dir = zip.find("PK\x01\x02");
    for (const auto& [field, value] : {std::pair<size_t, uint32_t>{20, 0xfffffff0u}, std::pair<size_t, uint32_t>{42, 0xfffffff0u}}) {
        std::string z = zip;
        z.replace(dir + field, 4, le(value, 4));
        if (field == 20) z.replace(dir + 24, 4, le(value, 4));
        auto archive = io::ZipArchive::parse(z, "sizes.zip");
        ASSERT_TRUE(archive) << archive.error().message;
        EXPECT_FALSE(archive->data(archive->entries().front())) << "field " << field;
    }
}

// ---- pickle and checkpoint ----

TEST(CraftedPickle, LengthsNearTwoToThe64AreTruncationNotAllocation) {
    for (const std::string& p : {std::string("\x80\x02\x8d") + le(~uint64_t(0), 8) + ".",       // BINUNICODE8
                                 std::string("\x80\x02\x8e") + le(~uint64_t(0) - 3, 8) + ".",   // BINBYTES8
                                 std::string("\x80\x02\x8b") + le(0xffffffffu, 4) + ".",        // LONG4 -1
                                 std::string("\x80\x02T") + le(0x80000000u, 4) + ".",           // BINSTRING < 0
                                 std::string("\x80\x02\x95") + le(~uint64_t(0), 8) + "N."}) {   // FRAME
        size_t offset = 0;
        auto parsed = io::parsePickle(p, offset, "huge.pkl");
        if (p[2] == '\x95') {
            EXPECT_TRUE(parsed) << "a frame length is only a hint";
            continue;
        }
        EXPECT_TRUE(failsWith(parsed, "truncated")) << int(uint8_t(p[2]));
    }
}

TEST(CraftedPickle, MemoAndStackLimitsHold) {
    io::PickleLimits limits;
    limits.maxNodes = 100;
    limits.maxStackDepth = 100;
    std::string many = "\x80\x02";
    for (int i = 0; i < 200; ++i) many += "]";
    size_t offset = 0;
    EXPECT_TRUE(failsWith(io::parsePickle(many + ".", offset, "many.pkl", limits), "too many objects"));
    std::string deep = "\x80\x02";
    for (int i = 0; i < 200; ++i) deep += "N";
    offset = 0;
    EXPECT_TRUE(failsWith(io::parsePickle(deep + ".", offset, "deep.pkl", limits), "stack"));
    offset = 0;
    EXPECT_TRUE(failsWith(io::parsePickle(std::string("\x80\x02j") + le(0xffffffffu, 4) + ".", offset, "memo.pkl"),
                          "unknown memo entry"));
}

std::string legacyWithCount(uint64_t count) {
    const FakeStorage s{"0", "FloatStorage", 3, test::rawBytes<float>({1, 2, 3})};
    std::string file = test::legacyCheckpoint(test::stateDictPickle({{"w", "0", 0, {3}, {1}}}, {s}, true), {s});
    // The storage's 8-byte element count sits just before its data at the end.
    file.replace(file.size() - 12 - 8, 8, le(count, 8));
    return file;
}

TEST(CraftedCheckpoint, LegacyStorageCountThatOverflowsIsRejected) {
    ASSERT_TRUE(io::parseTorchCheckpoint(legacyWithCount(3), "ok.pth"));
    // 2^62 floats are 2^64 bytes: a multiplication that wraps to 0.
    for (uint64_t count : {uint64_t(1) << 62, ~uint64_t(0), uint64_t(4)})
        EXPECT_TRUE(failsWith(io::parseTorchCheckpoint(legacyWithCount(count), "count.pth"), "wrong size")) << count;
}

TEST(CraftedCheckpoint, LegacyViewOffsetThatOverflowsIsRejected) {
    // A legacy persistent id with a view: (view_key, offset, size) added to the tensor's offset.
    const FakeStorage s{"0", "FloatStorage", 3, test::rawBytes<float>({1, 2, 3})};
    PickleBuilder p;
    p.proto().global("collections", "OrderedDict").emptyTuple().reduce().mark().text("w");
    p.global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().text("storage").global("torch", "FloatStorage").text("0").text("cpu").integer(3);
    p.mark().text("v").integer(INT64_MAX).integer(1).tuple();
    p.tuple().persId().integer(INT64_MAX).intTuple({1}).intTuple({1}).boolean(false);
    p.global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    p.setItems().stop();
    EXPECT_TRUE(failsWith(io::parseTorchCheckpoint(test::legacyCheckpoint(p.bytes(), {s}), "view.pth"), "overflow"));
}

TEST(CraftedCheckpoint, ShapeProductOverflowAndHugeKeysAreRejected) {
    const FakeStorage s{"0", "FloatStorage", 3, test::rawBytes<float>({1, 2, 3})};
    const auto crc = [](const std::string& b) { return io::crc32(b); };
    const int64_t big = int64_t(1) << 32;
    auto overflow = io::parseTorchCheckpoint(
        test::zipCheckpoint(test::stateDictPickle({{"w", "0", 0, {big, big, big}, {0, 0, 0}}}, {s}, false), {s}, crc),
        "shape.pth");
    EXPECT_TRUE(failsWith(overflow, "implausibly large"));
    const std::string longKey(5000, 'k');
    auto keys = io::parseTorchCheckpoint(
        test::zipCheckpoint(test::stateDictPickle({{longKey, "0", 0, {3}, {1}}}, {s}, false), {s}, crc), "keys.pth");
    EXPECT_TRUE(failsWith(keys, "implausibly long"));
}

// ---- model card and taxonomy ----

std::string card(const std::string& sampleRate, const std::string& chunk, const std::string& mel,
                 const std::string& extra = {}) {
    return R"({"id":"c","architecture":"fcn","sample_rate":)" + sampleRate + "," + chunk + R"(,"mel":)" + mel +
           R"(,"vocabularies":[{"name":"v","tags":["a","b"]}],"weights":"w.safetensors")" + extra + "}";
}

TEST(CraftedModelCard, ValidCardParses) {
    auto c = cards::parseModelCard(card("16000", R"("chunk_seconds":3.0)", R"({"n_fft":512,"n_mels":96})"), "/x/card.json");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->chunkSamples, 48000);
    EXPECT_EQ(c->mel.hopLength, 256);
}

TEST(CraftedModelCard, TrackChunksParseRoundTripAndMustNotBeShorterThanTheChunk) {
    const std::string mel = R"({"n_fft":512,"n_mels":96})";
    auto c = cards::parseModelCard(card("16000", R"("chunk_samples":79872,"track_chunk_samples":463872)", mel), "/x/card.json");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->chunkSamples, 79872);
    EXPECT_EQ(c->trackChunkSamples, 463872);
    EXPECT_TRUE(c->hasTrackChunks());
    auto again = cards::parseModelCard(c->toJson().dump(), "/x/card.json");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->trackChunkSamples, 463872);
    // Without the field: one pass, and none is written.
    auto plain = cards::parseModelCard(card("16000", R"("chunk_samples":79872)", mel), "/x/card.json");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->trackChunkSamples, 0);
    EXPECT_FALSE(plain->hasTrackChunks());
    EXPECT_FALSE(plain->toJson().contains("track_chunk_samples"));
    // Equal to the chunk: allowed, and still one pass.
    auto equal = cards::parseModelCard(card("16000", R"("chunk_samples":79872,"track_chunk_samples":79872)", mel), "/x/card.json");
    ASSERT_TRUE(equal);
    EXPECT_FALSE(equal->hasTrackChunks());
    for (const auto& [chunk, expected] : std::vector<std::pair<std::string, std::string>>{
             {R"("chunk_samples":79872,"track_chunk_samples":48000)", "shorter than its chunk_samples"},
             {R"("chunk_samples":79872,"track_chunk_samples":0)", "track_chunk_samples"},
             {R"("chunk_samples":79872,"track_chunk_samples":-463872)", "track_chunk_samples"},
             {R"("chunk_samples":79872,"track_chunk_samples":1e300)", "track_chunk_samples"},
             {R"("chunk_samples":79872,"track_chunk_samples":"29s")", "track_chunk_samples"}}) {
        auto bad = cards::parseModelCard(card("16000", chunk, mel), "/x/card.json");
        EXPECT_TRUE(failsWith(bad, expected)) << chunk << ": " << (bad ? "parsed" : bad.error().message);
    }
}

TEST(CraftedModelCard, NumbersOutOfRangeAreErrorsNotCasts) {
    const std::string mel = R"({"n_fft":512,"n_mels":96})";
    const std::string chunk = R"("chunk_seconds":3.0)";
    const std::vector<std::pair<std::string, std::string>> cases{
        {card("1e300", chunk, mel), "sample_rate"},
        {card("-1e300", chunk, mel), "sample_rate"},
        {card("16000.5", chunk, mel), "whole number"},
        {card("\"16000\"", chunk, mel), "sample_rate"},
        {card("16000", R"("chunk_seconds":1e300)", mel), "chunk_seconds"},
        {card("16000", R"("chunk_samples":-5)", mel), "chunk_samples"},
        {card("16000", R"("chunk_samples":18446744073709551615)", mel), "chunk_samples"},
        {card("16000", chunk, R"({"n_fft":1099511627776,"n_mels":96})"), "n_fft"},
        {card("16000", chunk, R"({"n_fft":512,"n_mels":1e9})"), "n_mels"},
        {card("16000", chunk, R"({"n_fft":512,"n_mels":96,"hop_length":0})"), "hop_length"},
        {card("16000", chunk, R"({"n_fft":512,"n_mels":96,"f_min":-1})"), "f_min"},
        {card("16000", chunk, R"({"n_fft":512,"n_mels":96,"f_max":"x"})"), "f_max"},
        {card("16000", chunk, "[]"), "mel"},
        {card("16000", chunk, mel, R"(,"vocabularies":{"a":1})"), "card.json"},
    };
    for (const auto& [text, expected] : cases) {
        Result<cards::ModelCard> parsed;
        EXPECT_NO_THROW(parsed = cards::parseModelCard(text, "/x/card.json")) << text;
        EXPECT_TRUE(failsWith(parsed, expected)) << text;
    }
}

TEST(CraftedModelCard, NestingBombIsRejectedBeforeParsing) {
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    EXPECT_TRUE(failsWith(cards::parseModelCard(card("16000", R"("chunk_seconds":3.0)", R"({"n_fft":512,"n_mels":96})",
                                                  R"(,"hyper_parameters":{"x":)" + deep + "}"),
                                             "/x/card.json"),
                          "nested more than"));
    EXPECT_EQ(io::jsonNestingDepth(R"({"a":"[[[[","b":[1,{"c":"\"]"}]})"), 3);
}

TEST(CraftedModelCard, OversizedFileIsNotRead) {
    const auto path = test::scratchDir("crafted_card_size") / "big.json";
    {
        std::ofstream out(path, std::ios::binary);
        out << "{\"architecture\":\"fcn\",\"pad\":\"";
    }
    std::filesystem::resize_file(path, cards::kMaxModelCardBytes + 10); // sparse: no disk space used
    EXPECT_TRUE(failsWith(cards::loadModelCard(path), "larger than"));
}

TEST(CraftedTaxonomy, WrongTypesAndNestingBombsAreErrors) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {std::string(100000, '{'), "nested"},
        {R"({"groups":[{"name":"g","members":[)" + std::string(300, '[') + std::string(300, ']') + "]}]}", "nested"},
        {R"({"groups":[{"name":1,"members":["a"]}]})", "no \"name\""},
        {R"({"groups":[{"name":"g","members":[1e300]}]})", "not a tag name"},
        {R"({"groups":[{"name":"g","members":"abc"}]})", "members"},
        {R"([1,2,3])", "JSON object"},
    };
    for (const auto& [text, expected] : cases) {
        Result<tags::Taxonomy> parsed;
        EXPECT_NO_THROW(parsed = tags::parseTaxonomy(text, "tax.json"));
        EXPECT_TRUE(failsWith(parsed, expected)) << text.substr(0, 80);
    }
}

} // namespace
} // namespace tagscope
