// SPDX-License-Identifier: GPL-3.0-or-later
// Evaluation of a distilled student against its teacher ensemble on held-out tracks.
// Torch-free header (the CLI uses it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/tensor.h"
#include "core/model/training/teacher_cache.h"

namespace tagscope::model::training {

/// Track-level scores of one model for one vocabulary: tracks x tags, row-major.
struct ScoreMatrix {
    size_t tracks = 0;
    size_t tags = 0;
    std::vector<float> values;
    float at(size_t track, size_t tag) const { return values[track * tags + tag]; }
};

/// Agreement of a model with a reference (the teacher ensemble) over tracks.
struct AgreementMetrics {
    double rocAuc = 0.0;   ///< macro ROC-AUC over tags that have positives and negatives
    double prAuc = 0.0;    ///< macro average precision over the same tags
    double spearman = 0.0; ///< mean over tracks of the rank correlation of the tag scores
    size_t tagsScored = 0; ///< tags that entered the macro averages
    std::vector<double> tagRocAuc; ///< ROC-AUC of each tag, in tag order; NaN for a tag without positives or negatives
    /// Tracks that have each tag among the reference's top-K, in tag order. A tag with one
    /// positive track counts in the macro average as much as one with thirty, and its ROC-AUC is
    /// just where the model ranks that one track.
    std::vector<size_t> tagPositives;
};

/// ROC-AUC of `scores` for binary `labels` (ties count half); NaN when a class is missing.
double rocAuc(const std::vector<float>& scores, const std::vector<int>& labels);
/// Average precision (area under the precision-recall curve, step-wise); NaN without positives.
double averagePrecision(const std::vector<float>& scores, const std::vector<int>& labels);
/// Spearman rank correlation (average ranks for ties); 0 when a side is constant.
double spearman(const std::vector<float>& a, const std::vector<float>& b);

/// Scores `model` against `reference` whose top-`topK` tags of each track are the positives.
AgreementMetrics compareToReference(const ScoreMatrix& model, const ScoreMatrix& reference, size_t topK = 5);

/// How sure a gap in ROC-AUC is, given the few held-out tracks: the gap of `model` to `rival`
/// (rival's ROC-AUC minus model's, both against `reference`'s top-5) on the tracks themselves and
/// on `samples` bootstrap resamples of the tracks (drawn with replacement, the same draw for both).
struct GapEstimate {
    double gap = 0.0;              ///< on the tracks themselves
    double low = 0.0, high = 0.0;  ///< 5th and 95th percentile over the resamples
    double shareAtMost = 0.0;      ///< share of resamples whose gap is <= `bound`
    size_t samples = 0;            ///< resamples in which both ROC-AUCs were defined
};
GapEstimate bootstrapGap(const ScoreMatrix& model, const ScoreMatrix& rival, const ScoreMatrix& reference, double bound,
                         size_t samples = 1000, uint32_t seed = 1);

/// A student: dB mel crops (N x 96 x frames) -> probabilities (N x tags of all vocabularies).
using StudentFn = std::function<Result<HostTensor>(const HostTensor& mel)>;

/// Loads a student from its weights (safetensors, project key names) for evaluation.
Result<StudentFn> loadStudent(const std::string& architecture, const nlohmann::json& hyper, int nTags,
                              const std::filesystem::path& weights, int threads = 1);

/// Evaluates on cached held-out tracks. Track-level scores are means over windows (the
/// student: over ceil(window / `cropFrames`) crops spread evenly over each window, the first at
/// its start and the last at its end, so every frame is heard). For each vocabulary
/// (in student output order), the student and every single teacher are compared with the
/// ensemble. Returns {"tracks": n, "<vocabulary>": {"student": {...}, "<teacher id>": {...}}}.
/// "by_teacher": {"<vocabulary>": {"<teacher id>": {"<model>": {...}}}} scores the student and
/// the other teachers against each single teacher's top-5 tags instead (no model judged by a
/// reference it is part of).
///
/// "gap_to_best_teacher" per vocabulary: the teacher with the highest ROC-AUC and the student's
/// gap to it, with its bootstrap interval over tracks (bootstrapGap, 1000 resamples, bound 0.03).
///
/// With `coarseGroups` (indices into the fine outputs, vocabulary-major), the coarse level is
/// scored too, under "coarse": the reference is the max of each group's ensemble scores;
/// "posthoc" is the max of the student's fine scores (grouped max-pooling after the fact) and,
/// when the student outputs the groups after its fine tags, "learned" is those outputs.
Result<nlohmann::json> evaluateAgainstEnsemble(const std::vector<CachedTrack>& tracks,
                                               const std::vector<std::string>& vocabularies,
                                               const std::vector<TeacherSpec>& teachers, const StudentFn& student,
                                               int64_t cropFrames,
                                               const std::vector<std::vector<int64_t>>& coarseGroups = {});

} // namespace tagscope::model::training
