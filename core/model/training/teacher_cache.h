// SPDX-License-Identifier: GPL-3.0-or-later
// Teacher targets for noisy-student distillation, computed once per audio file and cached on
// disk. Torch-free header (the CLI uses it); the teachers run in teacher_cache.cpp.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/common/tensor.h"
#include "core/dsp/mel_spectrogram.h"
#include "core/model/training/trainer.h"

namespace tagscope::model::training {

/// One upstream teacher: an architecture, the dataset it was trained on (its vocabulary) and
/// its checkpoint (sota-music-tagging-models best_model.pth).
struct TeacherSpec {
    std::string id;           ///< "mtat_fcn" ...
    std::string architecture; ///< "fcn", "musicnn", "crnn"
    std::string dataset;      ///< "mtat", "msd", "jamendo"
    std::filesystem::path checkpoint;
};

/// The eight teachers of the bundled student, from `directory` (shared/models/upstream):
/// MTAT FCN + MusiCNN + CRNN, MSD FCN + CRNN, MTG-Jamendo FCN + MusiCNN + CRNN.
std::vector<TeacherSpec> upstreamTeachers(const std::filesystem::path& directory);

/// Vocabulary names in student output order for the datasets of `teachers`
/// ("mtat" -> "mtat_top50", "msd" -> "msd_top50", "jamendo" -> "jamendo_top50"), first seen first.
std::vector<std::string> teacherVocabularies(const std::vector<TeacherSpec>& teachers);

/// Everything cached for one audio file. Windows are 29 s cuts of the track (the FCN/CRNN
/// input length), spread evenly over it.
struct CachedTrack {
    std::string audioSha256;
    std::vector<double> windowStartSeconds;
    /// Student input: dB mel (16 kHz, n_fft 512, hop 256, 96 bands), W x 96 x kWindowFrames.
    HostTensor mel;
    /// Per vocabulary: the teacher ensemble's mean probability per window, W x 50.
    std::map<std::string, HostTensor> ensemble;
    /// Per teacher id: its own probabilities per window, W x 50 (for evaluation).
    std::map<std::string, HostTensor> teachers;
};

struct TeacherCacheOptions {
    std::filesystem::path directory; ///< where cache files are kept (created when missing)
    int maxWindowsPerFile = 4;       ///< windows per track (fewer when the track is short; 0 = all that fit)
    int threads = 1;                 ///< torch intra-op threads of the teacher passes
};

/// Mel front end of the teachers and of the student's cached input.
dsp::MelConfig teacherMelConfig();
/// Samples per window (29 s at 16 kHz, the upstream FCN/CRNN input) and its mel frames.
inline constexpr int64_t kWindowSamples = 464000;
inline constexpr int64_t kWindowFrames = 1813;

/// A training example made by mixing two windows of two tracks (noisy-student augmentation):
/// `second` at `secondStart`, attenuated by `secondGainDb` (<= 0), added to `first` at
/// `firstStart`. The teachers label the mixture itself, not a blend of the two labels.
struct MixtureSpec {
    std::filesystem::path first;
    double firstStart = 0.0;
    std::filesystem::path second;
    double secondStart = 0.0;
    double secondGainDb = 0.0;
};

/// A track whose cached windows a mixture may draw from.
struct MixtureSource {
    std::filesystem::path path;
    std::string package;
    std::vector<double> windowStartSeconds;
};

/// `count` mixtures of random windows of two tracks from different packages (when there are
/// two packages), the second attenuated by a uniform 0..maxAttenuationDb dB. Deterministic for
/// a seed; empty when fewer than two sources have windows.
std::vector<MixtureSpec> planMixtures(const std::vector<MixtureSource>& sources, size_t count, uint64_t seed,
                                      double maxAttenuationDb = 6.0);
/// Mixture lists as TSV (first, first_start, second, second_start, second_gain_db).
Result<void> writeMixtureList(const std::filesystem::path& path, const std::vector<MixtureSpec>& mixtures);
Result<std::vector<MixtureSpec>> readMixtureList(const std::filesystem::path& path);

/// Cache of teacher targets keyed by the audio's sha256 and the teacher ids: the file for a
/// track is <directory>/<audio sha256>-<digest of the teacher ids>.safetensors, and its metadata
/// repeats both, so a cache made with other teachers is never mistaken for this one.
class TeacherCache {
public:
    /// Checks the teacher list (and that the checkpoints exist); teachers load on first use.
    static Result<std::unique_ptr<TeacherCache>> open(const TeacherCacheOptions& options,
                                                      const std::vector<TeacherSpec>& teachers);
    ~TeacherCache();

    /// Cache file of a track with sha256 `audioSha256`.
    std::filesystem::path entryPath(const std::string& audioSha256) const;
    /// "a,b,c": the teacher ids in order, as stored in each cache file.
    std::string teacherIds() const;

    /// Returns the cached targets of `audio`, computing and writing them on a miss (decode at
    /// 16 kHz, mel, the teachers). `computed` says whether the teachers ran.
    Result<CachedTrack> ensure(const std::filesystem::path& audio, double durationSeconds, bool* computed = nullptr,
                               const CancelToken* cancel = nullptr);
    /// The cached targets of `audio` when its cache file exists (NotFound otherwise); never
    /// runs the teachers.
    Result<CachedTrack> lookup(const std::filesystem::path& audio) const;
    /// Reads a cache file (no audio needed); Mismatch when it was made by other teachers.
    Result<CachedTrack> read(const std::filesystem::path& entry) const;

    /// The teachers' targets of a mixture (one window), computed and cached on a miss. The entry
    /// is keyed by both files' sha256, the window starts and the gain.
    Result<CachedTrack> ensureMixture(const MixtureSpec& mixture, bool* computed = nullptr,
                                      const CancelToken* cancel = nullptr);
    /// The cached targets of a mixture (NotFound when not cached yet); never runs the teachers.
    Result<CachedTrack> lookupMixture(const MixtureSpec& mixture) const;

    /// Seconds of audio processed by the teachers so far (throughput figures).
    double teacherAudioSeconds() const;

private:
    struct Impl;
    explicit TeacherCache(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// Student training windows of cached tracks: mel W x 96 x kWindowFrames and the ensemble
/// targets of `vocabularies` concatenated (W x 50 * vocabularies). Tracks not cached yet are
/// skipped and counted in `missing`; files with the same audio (sha256) count once.
Result<WindowSet> collectWindows(const TeacherCache& cache, const std::vector<std::filesystem::path>& audio,
                                 const std::vector<std::string>& vocabularies, size_t* missing = nullptr);

/// Training windows of cached mixtures, as collectWindows(); uncached ones count in `missing`.
Result<WindowSet> collectMixtureWindows(const TeacherCache& cache, const std::vector<MixtureSpec>& mixtures,
                                        const std::vector<std::string>& vocabularies, size_t* missing = nullptr);

/// Window start times (seconds) for a track of `durationSeconds`: up to `maxWindows` 29 s
/// windows with evenly spaced centres, none past the end; one window for 29..58 s.
/// maxWindows 0 means every window that fits without overlap (floor(duration / 29 s)).
std::vector<double> windowStarts(double durationSeconds, int maxWindows);

} // namespace tagscope::model::training
