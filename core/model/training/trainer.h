// SPDX-License-Identifier: GPL-3.0-or-later
// Noisy-student training of a tagger on cached teacher targets. Torch-free header (the CLI
// uses it); the training loop lives in trainer.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/common/tensor.h"

namespace tagscope::model::training {

/// Settings of a run. Everything that changes the result is stored in the checkpoint, so a
/// resumed run continues the same schedule.
/// How a student initialised from another one grew (both 0/1 when the sizes agree).
struct GrowthReport {
    int64_t addedLayers = 0; ///< transformer layers added as identities
    int64_t widthFactor = 1; ///< token width multiplied by this
    int64_t convChannelsFrom = 0; ///< conv front-end channels of the source (0: unchanged)
    int64_t convChannels = 0;     ///< conv front-end channels grown to (0: unchanged)
};

struct TrainerOptions {
    std::string architecture = "mtt";
    /// Student hyper-parameters (createNet); the defaults fit a 2-core CPU.
    nlohmann::json hyper = {{"conv_ndim", 16},       {"n_mels", 96},          {"attention_ndim", 64},
                            {"attention_nheads", 4}, {"attention_nlayers", 2}, {"attention_max_len", 512},
                            {"dropout", 0.1}};
    int64_t cropFrames = 313;    ///< student input length in mel frames (313 = 5 s at hop 256 / 16 kHz)
    /// With a value > 0, every second step trains on crops of this many frames instead (e.g. 313
    /// beside whole 1813-frame windows), so one student works at both chunk lengths. Validation
    /// stays at cropFrames.
    int64_t shortCropFrames = 0;
    int64_t batchSize = 16;
    int64_t totalSteps = 20000;  ///< length of the cosine schedule
    int64_t warmupSteps = 300;   ///< linear warm-up from 0 to learningRate
    double learningRate = 1e-3;  ///< AdamW peak rate
    double weightDecay = 0.01;   ///< decoupled, on weights of rank >= 2 only
    double gradientClip = 1.0;   ///< global L2 norm clip; 0 = off
    /// Weight of a logit-space squared error added to the soft-target BCE. BCE's gradient is
    /// p - y, so a tag whose teacher probabilities only range over 0.02..0.08 across tracks
    /// (many MSD tags) barely trains; in logits that range is as wide as 0.2..0.8, so the
    /// student learns to rank tracks for every tag. Both are clamped to [1e-3, 1 - 1e-3] first
    /// so the student is not asked to copy the teachers' noise far below any decision.
    double logitWeight = 0.0;
    /// Weight of a tag-wise ranking term: for every tag, 1 - the Pearson correlation across the
    /// batch between the student's and the teachers' clamped logits. It asks for the order of
    /// the windows on each tag, whatever the tag's level: what per-tag ROC-AUC measures, and
    /// what BCE barely rewards for rare, low-probability tags (classic rock, indie).
    double rankWeight = 0.0;
    /// Weight of a window-wise list term: for every window and vocabulary (block of
    /// vocabularySize fine tags), the KL divergence from the softmax of the teachers' clamped
    /// logits over the block to the student's. The held-out score counts a tag positive on a
    /// track when it is among the track's top-5 of its vocabulary: which tags lead a window. BCE
    /// and the rank term look at each tag alone.
    double listWeight = 0.0;
    /// Weight of the coarse-level loss when `hyper` has a coarse head ("coarse_head",
    /// "coarse_groups"): the coarse targets are the max of each group's fine targets and the
    /// objective is fine loss + coarseWeight x coarse loss (Zhong et al. 2023).
    double coarseWeight = 1.0;
    /// Loss weight of each fine tag (empty = all 1), e.g. to give one vocabulary more of the
    /// student's attention. Normalised to mean 1 over the fine tags, so the loss keeps its scale
    /// beside the coarse loss. The coarse outputs are not weighted.
    std::vector<double> tagWeights;
    /// How tagWeights was made, by vocabulary name (e.g. {"msd_top50", 1.5}); recorded in the
    /// run's options so a resumed run can rebuild tagWeights. The trainer itself reads only tagWeights.
    std::map<std::string, double> vocabularyWeights;
    /// Sampling of training windows. 0: uniform. p > 0: a window is drawn with probability
    /// proportional to the mean over its top-5 tags in each vocabulary of (W / n_t)^p, where n_t
    /// counts the windows that have tag t in their top-5 (windowSamplingWeights). The per-tag
    /// ROC-AUC that judges a student puts a tag in the top-5 of 1-3 held-out tracks on the same
    /// footing as "electronic" in all of them; uniform sampling shows the student the windows of
    /// such rare tags a few times per epoch.
    double balancePower = 0.0;
    int64_t vocabularySize = 50; ///< fine tags per vocabulary (the blocks of balancePower and listWeight)
    // Noise (the "noisy" in noisy student); the net's own dropout comes from `hyper`.
    double gainDb = 6.0;         ///< uniform random gain in [-gainDb, gainDb], added to the dB mel
    int frequencyMasks = 2;      ///< SpecAugment masks of up to maxFrequencyMask bands each
    int64_t maxFrequencyMask = 12;
    int timeMasks = 2;           ///< SpecAugment masks of up to maxTimeMask frames each
    int64_t maxTimeMask = 30;
    uint64_t seed = 1;
    int threads = 1;             ///< torch intra-op threads
};

/// Windows of student input and their soft targets, in host memory.
struct WindowSet {
    HostTensor mel;     ///< W x nMels x frames, dB
    HostTensor targets; ///< W x nTags, probabilities in [0, 1]
};

/// Where a run stands.
struct TrainerStatus {
    int64_t step = 0;
    double trainLoss = 0.0;      ///< mean soft BCE of the recent steps (since the last report)
    double validationLoss = -1;  ///< last validation soft BCE (-1 = not measured yet)
    double baselineLoss = -1;    ///< validation loss of always predicting the training mean
    double bestValidationLoss = -1;
    double secondsPerStep = 0.0;
    double trainingSeconds = 0.0; ///< wall time spent in steps, over all sessions
};

/// One training run: student, optimizer state, schedule position and RNG state.
class Trainer {
public:
    /// Builds the student from options.hyper with `train` and `validation` windows (same
    /// nMels, frames >= cropFrames, same tag count). Deterministic given options.seed.
    static Result<std::unique_ptr<Trainer>> create(const TrainerOptions& options, WindowSet train, WindowSet validation);
    ~Trainer();

    const TrainerOptions& options() const;
    const TrainerStatus& status() const;
    /// Outputs of the student: fine tags, then coarse groups when it has a coarse head.
    int64_t tagCount() const;

    /// Runs steps until `untilStep` (capped at totalSteps), `stopAfterSeconds` of wall time
    /// (0 = no limit) or cancellation. Every `validateEvery` steps it measures the validation
    /// loss and calls `report`; every `checkpointEvery` steps it writes `checkpoint` (when not
    /// empty). Returns the status after the last step.
    Result<TrainerStatus> run(int64_t untilStep, double stopAfterSeconds, int64_t validateEvery, int64_t checkpointEvery,
                              const std::filesystem::path& checkpoint,
                              const std::function<void(const TrainerStatus&)>& report, const CancelToken* cancel = nullptr);

    /// The training loss on the validation windows (centre crops, no noise), and the training-mean baseline.
    Result<void> validate();

    /// Writes model, optimizer moments, step, RNG state and options atomically (safetensors).
    Result<void> saveCheckpoint(const std::filesystem::path& path) const;
    /// Restores a checkpoint written by saveCheckpoint for the same options and data shape.
    Result<void> loadCheckpoint(const std::filesystem::path& path);

    /// Starts a new run from another student's weights (fine-tuning, or continuing a run with
    /// other options); optimizer moments start at zero. Errors name `source` and the keys.
    /// A deeper or wider student grows from a smaller one and starts as exactly its function
    /// (growStudent): layers added as identities, token units copied. Returns what grew.
    Result<GrowthReport> initialiseStudent(const TensorMap& weights, const std::filesystem::path& source);
    /// The student's parameters and buffers (upstream key names), for a model's weights file.
    TensorMap studentWeights() const;
    /// Student probabilities (W x nTags) of windows W x nMels x frames, in eval mode.
    Result<HostTensor> predict(const HostTensor& mel) const;

private:
    struct Impl;
    explicit Trainer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// Coarse targets: for each window, the max of each group's member columns of `fine`
/// (W x F); W x groups. Members out of range are an error naming the group.
Result<HostTensor> coarseTargets(const HostTensor& fine, const std::vector<std::vector<int64_t>>& groups);

/// The coarse groups of a student's hyper-parameters ("coarse_groups"; empty without a coarse head).
std::vector<std::vector<int64_t>> coarseGroupsOf(const nlohmann::json& hyper);
/// The options as a run records them (options.json, checkpoints, a model card's training record).
nlohmann::json trainerOptionsJson(const TrainerOptions& o);

/// Sampling weights of training windows (sum 1) for TrainerOptions::balancePower `power`:
/// `targets` is W x T (the first `fineTags` columns in blocks of `vocabularySize`, one per
/// vocabulary; further columns are ignored). All equal for power 0. Errors on shapes that do not fit.
Result<std::vector<double>> windowSamplingWeights(const HostTensor& targets, int64_t fineTags, int64_t vocabularySize,
                                                  double power);

/// Learning rate at `step` (0-based): linear warm-up to `peak`, then cosine decay to 0 at totalSteps.
double scheduledLearningRate(int64_t step, int64_t warmupSteps, int64_t totalSteps, double peak);

} // namespace tagscope::model::training
