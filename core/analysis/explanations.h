// SPDX-License-Identifier: GPL-3.0-or-later
// Result value types of the explanations a user can check (issue 13): occlusion relevance of
// every tag, time x frequency occlusion of one region, faithfulness curves against random
// orderings with a calibrated verdict, and the choice of the most faithful method per tag.
// Plain, copyable, torch-free and Qt-free: produced by the model layer, read by the CLI and GUI.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/analysis/track_analysis.h"

namespace tagscope::analysis {

/// How a segment is hidden from the model when it is occluded.
/// NOTE: masked mel frames are set to the chunk's lowest dB value ("silence in the model's eyes"),
/// not to the chunk's mean spectrum: a mean spectrum is itself music-like (it keeps the chunk's
/// timbre and therefore much of the evidence for instrument and genre tags), so occluding with it
/// under-reports exactly the segments that carry those tags. The chunk minimum is also the
/// reference of the gradient x input relevance, so both methods remove the same "input".
inline constexpr const char* kMaskingValue = "chunk minimum dB";

/// Occlusion relevance of every tag at once: each segment of the track is masked in turn and the
/// model re-run on the chunks that contain it. drop(segment, tag) is the mean, over the chunks
/// containing the segment, of the chunk's probability of `tag` minus that probability with the
/// segment masked (> 0: the segment supports the tag). NOTE: the drop is per chunk, not per track,
/// so its scale does not shrink as tracks get longer.
struct OcclusionRelevance {
    double segmentSeconds = 1.0;                 ///< length of a segment (the last may be shorter)
    std::string maskingValue = kMaskingValue;    ///< what masked frames were set to
    std::vector<double> segmentStartSeconds;     ///< per segment
    std::vector<double> segmentEndSeconds;       ///< per segment, clipped to the track
    size_t tagCount = 0;
    std::vector<float> drops;                    ///< row-major: drops[segment * tagCount + tag]

    size_t segmentCount() const { return segmentStartSeconds.size(); }
    /// The drop of `tag` when `segment` is masked.
    float drop(size_t segment, size_t tag) const { return drops[segment * tagCount + tag]; }
    /// One tag's drops as a time series over the segments (empty when tag >= tagCount).
    TimeSeries curve(size_t tag) const;
};

/// Time x frequency occlusion of one region for one tag: the region is cut into segments and the
/// mel bands into groups; each (segment, band group) cell is masked alone.
struct TimeFrequencyOcclusion {
    size_t tag = 0;
    std::string tagName;
    double startSeconds = 0.0;                   ///< the region explained
    double endSeconds = 0.0;
    std::vector<double> segmentStartSeconds;     ///< per segment
    std::vector<double> segmentEndSeconds;
    std::vector<int> bandFirstMel;               ///< per band group: first mel bin
    std::vector<int> bandEndMel;                 ///< per band group: one past the last mel bin
    std::vector<double> bandLowHz;               ///< per band group: lower edge frequency
    std::vector<double> bandHighHz;              ///< per band group: upper edge frequency
    std::vector<float> drops;                    ///< row-major: drops[segment * bandCount() + band]

    size_t segmentCount() const { return segmentStartSeconds.size(); }
    size_t bandCount() const { return bandFirstMel.size(); }
    /// The drop of the tag's probability when cell (segment, band) is masked.
    float drop(size_t segment, size_t band) const { return drops[segment * bandCount() + band]; }
};

/// Three levels of trust in one method's explanation of one tag, from the share of random
/// orderings of the segments its ordering beats (see FaithfulnessCurve).
/// Thresholds (also in README): share >= 0.9 -> Faithful; share >= 0.6 -> Weak; else Chance.
/// NOTE: with 20 random orderings, a method no better than chance beats >= 90% of them with
/// probability ~0.1 and >= 60% with probability ~0.4 (its rank among the 21 is uniform), so
/// "Faithful" is a 1-in-10 chance for an uninformative explanation and "Weak" only a mild hint.
enum class FaithfulnessVerdict {
    Faithful,   ///< beats >= 90% of random orderings: the explanation points at what the model uses
    Weak,       ///< beats >= 60%: somewhat better than chance; read with care
    Chance,     ///< beats < 60%: no better than a random choice of segments; do not trust it
};

inline constexpr double kFaithfulShare = 0.9; ///< share of random orderings beaten for Faithful
inline constexpr double kWeakShare = 0.6;     ///< share of random orderings beaten for Weak

/// The verdict of a share of random orderings beaten (thresholds above).
FaithfulnessVerdict verdictOf(double shareBeaten);

/// "faithful", "weak", "chance".
std::string verdictName(FaithfulnessVerdict verdict);

/// Reads verdictName()'s words back; false when `name` is none of them.
bool parseVerdict(const std::string& name, FaithfulnessVerdict& out);

/// Summary of many random orderings' curves at each fraction.
struct RandomCurves {
    std::vector<float> mean;                     ///< per fraction
    std::vector<float> p10;                      ///< 10th percentile per fraction
    std::vector<float> p90;                      ///< 90th percentile per fraction
};

/// Deletion and insertion curves of one method's segment ranking for one tag, against random
/// orderings of the same segments.
/// - deletion[i]: the tag's track probability with the top fractions[i] of the track's segments
///   (most relevant first) masked; deletion[0] is the unmasked probability.
/// - insertion[i]: the probability with every segment masked except the top fractions[i];
///   insertion[0] is the probability of the fully masked track.
/// score = area under insertion - area under deletion (trapezoids over the fraction axis, divided
/// by its length, i.e. a mean probability gap). A good ranking deletes fast and restores fast.
/// shareBeaten = share of the random orderings whose score is strictly lower than the method's
/// (ties count half). areaBetween = score - mean random score (> 0: better than chance).
struct FaithfulnessCurve {
    size_t tag = 0;
    std::string tagName;
    std::string method;                          ///< "occlusion", "gradient", "contribution", "rollout", "attribution"
    double segmentSeconds = 1.0;
    size_t segmentCount = 0;
    std::vector<double> fractions;               ///< {0, .05, .1, .2, .4}
    std::vector<float> deletion;                 ///< per fraction
    std::vector<float> insertion;                ///< per fraction
    int randomOrderings = 0;
    RandomCurves randomDeletion;
    RandomCurves randomInsertion;
    double score = 0.0;                          ///< insertion area - deletion area
    double randomScoreMean = 0.0;                ///< mean over random orderings of the same score
    double areaBetween = 0.0;                    ///< score - randomScoreMean
    double shareBeaten = 0.0;                    ///< 0..1
    FaithfulnessVerdict verdict = FaithfulnessVerdict::Chance;

    /// One sentence for users, e.g. "Occlusion explains 'piano': hiding its top 10% of the
    /// track lowers the score from 0.81 to 0.32, more than 19 of 20 random choices (faithful)."
    std::string summary() const;
};

/// The fractions of the track's segments the curves remove or restore.
inline const std::vector<double>& defaultFractions() {
    static const std::vector<double> f{0.0, 0.05, 0.1, 0.2, 0.4};
    return f;
}

/// Mean probability of a curve over `fractions` (trapezoids divided by the axis length).
double curveArea(const std::vector<double>& fractions, const std::vector<float>& curve);

/// Fills score, the random summaries, randomScoreMean, areaBetween, shareBeaten and verdict of
/// `curve` from its own deletion/insertion and the random orderings' curves
/// (randomDeletion[r][i], randomInsertion[r][i]). Pure; the model layer calls it.
void scoreAgainstRandom(FaithfulnessCurve& curve, const std::vector<std::vector<float>>& randomDeletion,
                        const std::vector<std::vector<float>>& randomInsertion);

/// Index of the most faithful curve in `curves`: best verdict; within a verdict, a tag-specific
/// method before the tag-independent "rollout"; then highest shareBeaten, then highest
/// areaBetween, then first. curves.size() when empty.
size_t mostFaithful(const std::vector<FaithfulnessCurve>& curves);

/// An explanation's ranking of segments by evidence: indices into a segment grid, best first
/// (ties: earlier first).
std::vector<size_t> rankByScore(const std::vector<double>& scores);

/// Share of the positive evidence of `scores` (one per segment of `segmentSeconds`, negative
/// values ignored) that lies inside [start, end): the pointing score of one passage. 0 when no
/// segment has positive evidence.
double evidenceShareInside(const std::vector<double>& scores, double segmentSeconds, double start, double end);

/// Explanations of one tag, computed on demand after the analysis.
struct TagExplanation {
    size_t tag = 0;
    std::string tagName;
    float trackScore = 0.0f;
    std::optional<TimeSeries> occlusion;          ///< drop per segment when it is masked (every model)
    std::optional<TimeSeries> contribution;       ///< forced-attention curve (attention models)
    std::optional<TimeSeries> attribution;        ///< gradient-weighted attention rollout (Chefer et al. 2021)
    std::optional<GradientRelevance> relevance;   ///< gradient x input (every model)
    std::optional<TimeFrequencyOcclusion> timeFrequency; ///< on demand, one region
    /// Faithfulness curves, one per method tested (empty until they are computed: they take
    /// longer than the explanations themselves).
    std::vector<FaithfulnessCurve> curves;
    /// The method shown by default: the most faithful one by `curves` (mostFaithful()), or the
    /// first available of occlusion, attribution, contribution, gradient before curves exist.
    std::string bestMethod;
    /// NOTE: the old 3-segment deletion test; no longer computed (kept so old exports read back).
    std::vector<Faithfulness> faithfulness;
    /// The top segments that most support the tag by `bestMethod`, [start, end) seconds, best
    /// first ("play evidence").
    std::vector<std::pair<double, double>> evidenceSegments;

    /// The curve of `bestMethod`, or null when the curves were not computed.
    const FaithfulnessCurve* bestCurve() const;
    /// The time series of `method` ("occlusion", "contribution", "attribution", "gradient"), or
    /// null when it is absent. "gradient" is relevance->perFrame.
    const TimeSeries* series(const std::string& method) const;
};

} // namespace tagscope::analysis
