// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/training/teacher_cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
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
    if (durationSeconds < window || maxWindows < 0) return {};
    const int fit = int(std::floor(durationSeconds / window));
    const int n = std::max(1, maxWindows == 0 ? fit : std::min(maxWindows, fit));
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

    // 29 s of `path` from `start`, 16 kHz mono.
    Result<std::vector<float>> decodeWindow(const std::filesystem::path& path, double start) {
        // NOTE: each window is decoded on its own (seek + resample 29 s), which costs far less
        // than resampling a whole long track, and with libsamplerate's medium sinc (~6x faster
        // than the best one, transparent below 7.2 kHz of the 8 kHz the mel bands reach).
        auto buffer = audio::decodeAudio(
            path, {16000, start, double(kWindowSamples) / 16000.0 + 0.05, audio::ResampleQuality::Medium});
        if (!buffer) return fail(buffer.error());
        buffer->samples.resize(size_t(kWindowSamples), 0.0f);
        return std::move(buffer->samples);
    }

    Result<void> appendMel(CachedTrack& track, const std::vector<float>& samples, const std::filesystem::path& source) {
        auto spec = mel.decibels(samples);
        if (spec.nFrames != kWindowFrames || spec.nMels != 96)
            return fail(Error::Kind::Internal, source, "unexpected mel size " + std::to_string(spec.nFrames));
        track.mel.data.insert(track.mel.data.end(), spec.values.begin(), spec.values.end());
        return {};
    }

    // Runs the teachers on the track's windows (mel already filled) and keeps their targets.
    Result<void> label(CachedTrack& track, const std::filesystem::path& source, const CancelToken* cancel) {
        const int64_t w = int64_t(track.windowStartSeconds.size());
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
            return fail(Error::Kind::Internal, source, std::string("teacher pass failed: ") + e.what_without_backtrace());
        }
        return {};
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
            auto samples = decodeWindow(audioPath, start);
            if (!samples) return fail(samples.error());
            if (auto ok = appendMel(track, *samples, audioPath); !ok) return fail(ok.error());
        }
        if (auto ok = label(track, audioPath, cancel); !ok) return fail(ok.error());
        return track;
    }

    Result<CachedTrack> computeMixture(const MixtureSpec& m, const std::string& key, const CancelToken* cancel) {
        if (auto ok = loadTeachers(); !ok) return fail(ok.error());
        auto a = decodeWindow(m.first, m.firstStart);
        if (!a) return fail(a.error());
        auto b = decodeWindow(m.second, m.secondStart);
        if (!b) return fail(b.error());
        const float gain = float(std::pow(10.0, std::min(0.0, m.secondGainDb) / 20.0));
        for (size_t i = 0; i < a->size(); ++i) (*a)[i] += gain * (*b)[i];
        CachedTrack track;
        track.audioSha256 = key;
        track.windowStartSeconds = {m.firstStart};
        track.mel.shape = {1, 96, kWindowFrames};
        if (auto ok = appendMel(track, *a, m.first); !ok) return fail(ok.error());
        if (auto ok = label(track, m.first, cancel); !ok) return fail(ok.error());
        return track;
    }

    Result<void> write(const std::filesystem::path& entry, const std::string& source, const CachedTrack& t) {
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
                                                {"source", source},
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
        // NOTE: an entry with fewer windows than now asked for (cached with a smaller
        // --max-windows) is recomputed with all of them; one with more is used as it is.
        if (cached && cached->audioSha256 == *sha &&
            cached->windowStartSeconds.size() >= windowStarts(durationSeconds, m_impl->options.maxWindowsPerFile).size())
            return cached;
        // NOTE: a damaged or foreign entry is recomputed and overwritten rather than trusted.
    }
    auto track = m_impl->compute(audio, *sha, durationSeconds, cancel);
    if (!track) return fail(track.error());
    if (auto ok = m_impl->write(entry, audio.string(), *track); !ok) return fail(ok.error());
    if (computed) *computed = true;
    return track;
}

namespace {

std::string formatSeconds(double s) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", s);
    return buffer;
}

// "mix:<sha a>@<start a>+<sha b>@<start b><gain>dB": what a mixture entry holds, stored in it.
Result<std::string> mixtureKey(const MixtureSpec& m) {
    auto a = io::sha256File(m.first);
    if (!a) return fail(a.error());
    auto b = io::sha256File(m.second);
    if (!b) return fail(b.error());
    return "mix:" + *a + "@" + formatSeconds(m.firstStart) + "+" + *b + "@" + formatSeconds(m.secondStart) +
           formatSeconds(std::min(0.0, m.secondGainDb)) + "dB";
}

} // namespace

Result<CachedTrack> TeacherCache::ensureMixture(const MixtureSpec& mixture, bool* computed, const CancelToken* cancel) {
    if (computed) *computed = false;
    auto key = mixtureKey(mixture);
    if (!key) return fail(key.error());
    const auto entry = m_impl->options.directory / ("mix-" + hex(fnv1a(*key)) + "-" + m_impl->digest + ".safetensors");
    std::error_code ec;
    if (std::filesystem::is_regular_file(entry, ec)) {
        auto cached = read(entry);
        if (cached && cached->audioSha256 == *key) return cached;
    }
    auto track = m_impl->computeMixture(mixture, *key, cancel);
    if (!track) return fail(track.error());
    const std::string source = mixture.first.string() + " @" + formatSeconds(mixture.firstStart) + " + " +
                               mixture.second.string() + " @" + formatSeconds(mixture.secondStart) + " " +
                               formatSeconds(mixture.secondGainDb) + " dB";
    if (auto ok = m_impl->write(entry, source, *track); !ok) return fail(ok.error());
    if (computed) *computed = true;
    return track;
}

Result<CachedTrack> TeacherCache::lookupMixture(const MixtureSpec& mixture) const {
    auto key = mixtureKey(mixture);
    if (!key) return fail(key.error());
    const auto entry = m_impl->options.directory / ("mix-" + hex(fnv1a(*key)) + "-" + m_impl->digest + ".safetensors");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(entry, ec))
        return fail(Error::Kind::NotFound, mixture.first, "mixture not cached yet (run 'tagscope-cli train cache --mixtures')");
    auto cached = read(entry);
    if (!cached) return fail(cached.error());
    if (cached->audioSha256 != *key) return fail(Error::Kind::Mismatch, entry, "holds another mixture");
    return cached;
}

std::vector<MixtureSpec> planMixtures(const std::vector<MixtureSource>& sources, size_t count, uint64_t seed,
                                      double maxAttenuationDb) {
    std::vector<const MixtureSource*> usable;
    for (const auto& s : sources)
        if (!s.windowStartSeconds.empty()) usable.push_back(&s);
    std::vector<MixtureSpec> out;
    if (usable.size() < 2) return out;
    std::set<std::string> packages;
    for (const auto* s : usable) packages.insert(s->package);
    std::mt19937_64 rng(seed);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    std::uniform_real_distribution<double> attenuation(0.0, std::max(0.0, maxAttenuationDb));
    while (out.size() < count) {
        const auto* a = usable[pick(usable.size())];
        const auto* b = usable[pick(usable.size())];
        if (a == b || (packages.size() > 1 && a->package == b->package)) continue;
        MixtureSpec m;
        m.first = a->path;
        m.firstStart = a->windowStartSeconds[pick(a->windowStartSeconds.size())];
        m.second = b->path;
        m.secondStart = b->windowStartSeconds[pick(b->windowStartSeconds.size())];
        m.secondGainDb = -attenuation(rng);
        out.push_back(std::move(m));
    }
    return out;
}

Result<void> writeMixtureList(const std::filesystem::path& path, const std::vector<MixtureSpec>& mixtures) {
    std::string text = "# first\tfirst_start\tsecond\tsecond_start\tsecond_gain_db\n";
    for (const auto& m : mixtures)
        text += m.first.string() + "\t" + formatSeconds(m.firstStart) + "\t" + m.second.string() + "\t" +
                formatSeconds(m.secondStart) + "\t" + formatSeconds(m.secondGainDb) + "\n";
    return io::writeFileAtomically(path, text);
}

Result<std::vector<MixtureSpec>> readMixtureList(const std::filesystem::path& path) {
    auto bytes = io::readFileBytes(path);
    if (!bytes) return fail(bytes.error());
    std::vector<MixtureSpec> out;
    std::istringstream lines(std::string(bytes->begin(), bytes->end()));
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> f;
        std::istringstream fields(line);
        for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
        MixtureSpec m;
        try {
            if (f.size() != 5) throw std::invalid_argument("expected 5 tab-separated fields");
            m.first = f[0];
            m.firstStart = std::stod(f[1]);
            m.second = f[2];
            m.secondStart = std::stod(f[3]);
            m.secondGainDb = std::stod(f[4]);
        } catch (const std::exception& e) {
            return fail(Error::Kind::InvalidInput, path, "line " + std::to_string(number) + ": " + e.what());
        }
        out.push_back(std::move(m));
    }
    return out;
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

namespace {

void appendWindows(WindowSet& set, const CachedTrack& track, const std::vector<std::string>& vocabularies) {
    const int64_t w = track.mel.shape[0];
    set.mel.data.insert(set.mel.data.end(), track.mel.data.begin(), track.mel.data.end());
    for (int64_t i = 0; i < w; ++i)
        for (const auto& v : vocabularies) {
            const auto& e = track.ensemble.at(v);
            set.targets.data.insert(set.targets.data.end(), e.data.begin() + i * 50, e.data.begin() + (i + 1) * 50);
        }
}

} // namespace

namespace {

// Windows of every item `lookup` finds cached; NotFound items are counted in `missing`. With
// `onePerRecording`, items with the same audio (sha256) count once.
template <class Item, class Lookup>
Result<WindowSet> collect(const std::vector<Item>& items, const Lookup& lookup, const std::vector<std::string>& vocabularies,
                          size_t* missing, bool onePerRecording) {
    WindowSet set;
    size_t absent = 0;
    int64_t windows = 0;
    std::set<std::string> seen;
    for (const auto& item : items) {
        auto track = lookup(item);
        if (!track) {
            if (track.error().kind != Error::Kind::NotFound) return fail(track.error());
            ++absent;
            continue;
        }
        if (onePerRecording && !seen.insert(track->audioSha256).second) continue;
        appendWindows(set, *track, vocabularies);
        windows += track->mel.shape[0];
    }
    set.mel.shape = {windows, 96, kWindowFrames};
    set.targets.shape = {windows, int64_t(50 * vocabularies.size())};
    if (missing) *missing = absent;
    return set;
}

} // namespace

Result<WindowSet> collectMixtureWindows(const TeacherCache& cache, const std::vector<MixtureSpec>& mixtures,
                                        const std::vector<std::string>& vocabularies, size_t* missing) {
    return collect(mixtures, [&](const MixtureSpec& m) { return cache.lookupMixture(m); }, vocabularies, missing, false);
}

Result<WindowSet> collectWindows(const TeacherCache& cache, const std::vector<std::filesystem::path>& audio,
                                 const std::vector<std::string>& vocabularies, size_t* missing) {
    // NOTE: packages may ship one recording under several names; its windows count once.
    return collect(audio, [&](const std::filesystem::path& p) { return cache.lookup(p); }, vocabularies, missing, true);
}

} // namespace tagscope::model::training
