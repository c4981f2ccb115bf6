// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/training/teacher_cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>

#include "core/audio/audio_decoder.h"
#include "core/io/file_util.h"
#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/model/nets/tagger_net.h"
#include "core/model/training/trainer.h"
#include "core/model/torch_shim.h"

namespace tagscope::model::training {
namespace {

constexpr const char* kFormat = "tagscope-teacher-cache-1";
// NOTE: MusiCNN was trained on 3 s chunks (188 frames); inside a 29 s window it sees nine
// non-overlapping 3 s slices and the window's output is their mean, as upstream averages chunks.
constexpr int64_t kMusicnnFrames = 188;

std::string vocabularyOf(const std::string& dataset) { return dataset + "_top50"; }

uint64_t fnv1a(const std::string& text) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    return h;
}

std::string hex(uint64_t value) {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
    return buffer;
}

} // namespace

std::vector<TeacherSpec> upstreamTeachers(const std::filesystem::path& directory) {
    std::vector<TeacherSpec> specs;
    const std::pair<const char*, std::vector<const char*>> sets[] = {
        {"mtat", {"fcn", "musicnn", "crnn"}}, {"msd", {"fcn", "crnn"}}, {"jamendo", {"fcn", "musicnn", "crnn"}}};
    for (const auto& [dataset, archs] : sets)
        for (const char* arch : archs) {
            const std::string id = std::string(dataset) + "_" + arch;
            specs.push_back({id, arch, dataset, directory / (id + ".pth")});
        }
    return specs;
}

std::vector<std::string> teacherVocabularies(const std::vector<TeacherSpec>& teachers) {
    std::vector<std::string> names;
    for (const auto& t : teachers) {
        const auto v = vocabularyOf(t.dataset);
        if (std::find(names.begin(), names.end(), v) == names.end()) names.push_back(v);
    }
    return names;
}

dsp::MelConfig teacherMelConfig() { return dsp::MelConfig{16000, 512, 256, 0.0, 8000.0, 96}; }

std::vector<double> windowStarts(double durationSeconds, int maxWindows) {
    const double window = double(kWindowSamples) / 16000.0;
    if (durationSeconds < window || maxWindows <= 0) return {};
    const int n = std::max(1, std::min(maxWindows, int(std::floor(durationSeconds / window))));
    std::vector<double> starts;
    for (int i = 0; i < n; ++i) {
        const double centre = (i + 0.5) * durationSeconds / n;
        starts.push_back(std::clamp(centre - window / 2, 0.0, durationSeconds - window));
    }
    return starts;
}

struct TeacherCache::Impl {
    TeacherCacheOptions options;
    std::vector<TeacherSpec> specs;
    std::vector<std::shared_ptr<TaggerNet>> nets; // loaded on first miss
    dsp::MelSpectrogram mel{teacherMelConfig()};
    std::string digest;
    double audioSeconds = 0.0;

    Result<void> loadTeachers() {
        if (!nets.empty()) return {};
        for (const auto& spec : specs) {
            auto weights = io::readTorchCheckpoint(spec.checkpoint);
            if (!weights) return fail(weights.error());
            auto net = createNet(spec.architecture, nlohmann::json{{"dataset", spec.dataset}}, 50);
            if (!net) return fail(net.error());
            if (auto ok = loadStateDict(**net, *weights, spec.checkpoint); !ok) return fail(ok.error());
            (*net)->eval();
            (*net)->optimizeForInference();
            nets.push_back(*net);
        }
        return {};
    }

    // Probabilities of teacher `i` for W windows of dB mel (W x 96 x kWindowFrames).
    torch::Tensor runTeacher(size_t i, const torch::Tensor& windows) {
        if (specs[i].architecture != "musicnn") return nets[i]->forward(windows);
        const int64_t w = windows.size(0), slices = kWindowFrames / kMusicnnFrames;
        auto cut = windows.narrow(2, 0, slices * kMusicnnFrames)
                       .reshape({w, 96, slices, kMusicnnFrames})
                       .permute({0, 2, 1, 3})
                       .reshape({w * slices, 96, kMusicnnFrames});
        return nets[i]->forward(cut).reshape({w, slices, -1}).mean(1);
    }

    Result<CachedTrack> compute(const std::filesystem::path& audioPath, const std::string& sha, double duration,
                                const CancelToken* cancel) {
        if (auto ok = loadTeachers(); !ok) return fail(ok.error());
        CachedTrack track;
        track.audioSha256 = sha;
        track.windowStartSeconds = windowStarts(duration, options.maxWindowsPerFile);
        if (track.windowStartSeconds.empty())
            return fail(Error::Kind::InvalidInput, audioPath, "shorter than one 29 s teacher window");
        const int64_t w = int64_t(track.windowStartSeconds.size());
        track.mel.shape = {w, 96, kWindowFrames};
        track.mel.data.reserve(size_t(track.mel.numel()));
        for (double start : track.windowStartSeconds) {
            if (isCancelled(cancel)) return fail(Error::cancelled());
            // NOTE: each window is decoded on its own (seek + resample 29 s), which costs far less
            // than resampling a whole long track, and with libsamplerate's medium sinc (~6x faster
            // than the best one, transparent below 7.2 kHz of the 8 kHz the mel bands reach).
            auto buffer = audio::decodeAudio(
                audioPath, {16000, start, double(kWindowSamples) / 16000.0 + 0.05, audio::ResampleQuality::Medium});
            if (!buffer) return fail(buffer.error());
            buffer->samples.resize(size_t(kWindowSamples), 0.0f);
            auto spec = mel.decibels(buffer->samples);
            if (spec.nFrames != kWindowFrames || spec.nMels != 96)
                return fail(Error::Kind::Internal, audioPath, "unexpected mel size " + std::to_string(spec.nFrames));
            track.mel.data.insert(track.mel.data.end(), spec.values.begin(), spec.values.end());
        }
        audioSeconds += double(w) * double(kWindowSamples) / 16000.0;
        try {
            c10::InferenceMode guard;
            if (at::get_num_threads() != options.threads) at::set_num_threads(options.threads);
            auto windows = fromHostTensor(track.mel);
            std::map<std::string, std::vector<torch::Tensor>> byVocabulary;
            for (size_t i = 0; i < specs.size(); ++i) {
                if (isCancelled(cancel)) return fail(Error::cancelled());
                auto probabilities = runTeacher(i, windows);
                track.teachers[specs[i].id] = toHostTensor(probabilities);
                byVocabulary[vocabularyOf(specs[i].dataset)].push_back(probabilities);
            }
            for (auto& [vocabulary, outputs] : byVocabulary)
                track.ensemble[vocabulary] = toHostTensor(torch::stack(outputs).mean(0));
        } catch (const c10::Error& e) {
            return fail(Error::Kind::Internal, audioPath, std::string("teacher pass failed: ") + e.what_without_backtrace());
        }
        return track;
    }

    Result<void> write(const std::filesystem::path& entry, const std::filesystem::path& source, const CachedTrack& t) {
        TensorMap tensors;
        tensors["mel"] = t.mel;
        HostTensor starts{{int64_t(t.windowStartSeconds.size())}, {}};
        for (double s : t.windowStartSeconds) starts.data.push_back(float(s));
        tensors["window_start_seconds"] = starts;
        for (const auto& [v, tensor] : t.ensemble) tensors["ensemble." + v] = tensor;
        for (const auto& [id, tensor] : t.teachers) tensors["teacher." + id] = tensor;
        std::map<std::string, std::string> meta{{"format", kFormat},
                                                {"audio_sha256", t.audioSha256},
                                                {"teachers", teacherIdList()},
                                                {"source", source.string()},
                                                {"mel", "16000/512/256/0-8000/96 dB"}};
        return io::writeSafetensors(entry, tensors, meta);
    }

    std::string teacherIdList() const {
        std::string ids;
        for (const auto& s : specs) ids += (ids.empty() ? "" : ",") + s.id;
        return ids;
    }
};

TeacherCache::TeacherCache(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TeacherCache::~TeacherCache() = default;

Result<std::unique_ptr<TeacherCache>> TeacherCache::open(const TeacherCacheOptions& options,
                                                         const std::vector<TeacherSpec>& teachers) {
    if (teachers.empty()) return fail(Error::Kind::InvalidInput, options.directory, "no teachers given");
    for (const auto& t : teachers) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(t.checkpoint, ec))
            return fail(Error::Kind::NotFound, t.checkpoint, "teacher checkpoint not found");
        if (t.architecture != "fcn" && t.architecture != "musicnn" && t.architecture != "crnn")
            return fail(Error::Kind::InvalidInput, t.checkpoint, "teacher architecture '" + t.architecture + "' is not supported");
    }
    std::error_code ec;
    std::filesystem::create_directories(options.directory, ec);
    if (ec) return fail(Error::Kind::Io, options.directory, "cannot create the cache folder: " + ec.message());
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->options.threads = std::max(1, options.threads);
    impl->specs = teachers;
    impl->digest = hex(fnv1a(impl->teacherIdList())).substr(0, 12);
    return std::unique_ptr<TeacherCache>(new TeacherCache(std::move(impl)));
}

std::filesystem::path TeacherCache::entryPath(const std::string& audioSha256) const {
    return m_impl->options.directory / (audioSha256 + "-" + m_impl->digest + ".safetensors");
}

std::string TeacherCache::teacherIds() const { return m_impl->teacherIdList(); }

double TeacherCache::teacherAudioSeconds() const { return m_impl->audioSeconds; }

Result<CachedTrack> TeacherCache::ensure(const std::filesystem::path& audio, double durationSeconds, bool* computed,
                                         const CancelToken* cancel) {
    if (computed) *computed = false;
    auto sha = io::sha256File(audio);
    if (!sha) return fail(sha.error());
    const auto entry = entryPath(*sha);
    std::error_code ec;
    if (std::filesystem::is_regular_file(entry, ec)) {
        auto cached = read(entry);
        if (cached && cached->audioSha256 == *sha) return cached;
        // NOTE: a damaged or foreign entry is recomputed and overwritten rather than trusted.
    }
    auto track = m_impl->compute(audio, *sha, durationSeconds, cancel);
    if (!track) return fail(track.error());
    if (auto ok = m_impl->write(entry, audio, *track); !ok) return fail(ok.error());
    if (computed) *computed = true;
    return track;
}

Result<CachedTrack> TeacherCache::lookup(const std::filesystem::path& audio) const {
    auto sha = io::sha256File(audio);
    if (!sha) return fail(sha.error());
    const auto entry = entryPath(*sha);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(entry, ec))
        return fail(Error::Kind::NotFound, audio, "no teacher targets cached yet (run 'tagscope-cli train cache')");
    return read(entry);
}

Result<CachedTrack> TeacherCache::read(const std::filesystem::path& entry) const {
    auto file = io::readSafetensors(entry);
    if (!file) return fail(file.error());
    auto meta = [&](const char* key) {
        auto it = file->metadata.find(key);
        return it == file->metadata.end() ? std::string() : it->second;
    };
    if (meta("format") != kFormat) return fail(Error::Kind::InvalidInput, entry, "not a teacher cache file");
    if (meta("teachers") != teacherIds())
        return fail(Error::Kind::Mismatch, entry, "made by teachers " + meta("teachers") + ", expected " + teacherIds());
    CachedTrack t;
    t.audioSha256 = meta("audio_sha256");
    auto& tensors = file->tensors;
    if (!tensors.count("mel") || !tensors.count("window_start_seconds"))
        return fail(Error::Kind::InvalidInput, entry, "cache file lacks its mel or window tensors");
    t.mel = std::move(tensors["mel"]);
    for (float s : tensors["window_start_seconds"].data) t.windowStartSeconds.push_back(s);
    const int64_t w = int64_t(t.windowStartSeconds.size());
    if (t.mel.shape != std::vector<int64_t>{w, 96, kWindowFrames})
        return fail(Error::Kind::InvalidInput, entry, "mel has shape " + t.mel.shapeString());
    for (auto& [key, tensor] : tensors) {
        if (key.starts_with("ensemble.")) t.ensemble[key.substr(9)] = std::move(tensor);
        if (key.starts_with("teacher.")) t.teachers[key.substr(8)] = std::move(tensor);
    }
    for (const auto& v : teacherVocabularies(m_impl->specs))
        if (!t.ensemble.count(v) || t.ensemble[v].shape != std::vector<int64_t>{w, 50})
            return fail(Error::Kind::InvalidInput, entry, "cache file lacks the " + v + " targets");
    return t;
}

Result<WindowSet> collectWindows(const TeacherCache& cache, const std::vector<std::filesystem::path>& audio,
                                 const std::vector<std::string>& vocabularies, size_t* missing) {
    WindowSet set;
    size_t absent = 0;
    int64_t windows = 0;
    std::set<std::string> seen;
    for (const auto& path : audio) {
        auto track = cache.lookup(path);
        if (!track) {
            if (track.error().kind != Error::Kind::NotFound) return fail(track.error());
            ++absent;
            continue;
        }
        // NOTE: packages may ship one recording under several names; its windows count once.
        if (!seen.insert(track->audioSha256).second) continue;
        const int64_t w = track->mel.shape[0];
        set.mel.data.insert(set.mel.data.end(), track->mel.data.begin(), track->mel.data.end());
        for (int64_t i = 0; i < w; ++i)
            for (const auto& v : vocabularies) {
                const auto& e = track->ensemble.at(v);
                set.targets.data.insert(set.targets.data.end(), e.data.begin() + i * 50, e.data.begin() + (i + 1) * 50);
            }
        windows += w;
    }
    set.mel.shape = {windows, 96, kWindowFrames};
    set.targets.shape = {windows, int64_t(50 * vocabularies.size())};
    if (missing) *missing = absent;
    return set;
}

} // namespace tagscope::model::training
