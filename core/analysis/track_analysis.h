// SPDX-License-Identifier: GPL-3.0-or-later
// Result value types of a track analysis: plain, copyable, torch-free and Qt-free. Produced by
// the model layer's Analyzer, consumed by the CLI (JSON/CSV/PNG) and the GUI (plots).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/dsp/mel_spectrogram.h"
#include "core/tags/coarse_tag.h"

namespace tagscope::analysis {

/// One chunk's output as it streams out of the model.
struct ChunkPrediction {
    int index = 0;
    double startSeconds = 0.0;
    double endSeconds = 0.0;           ///< excludes padding
    std::vector<float> probabilities;  ///< one per tag, output order
};

/// Chunk x tag probabilities with each chunk's time span.
struct Taggram {
    std::vector<double> chunkStartSeconds;
    std::vector<double> chunkEndSeconds;
    size_t tagCount = 0;
    std::vector<float> values;          ///< row-major: values[chunk * tagCount + tag]

    size_t chunkCount() const { return chunkStartSeconds.size(); }
    float at(size_t chunk, size_t tag) const { return values[chunk * tagCount + tag]; }
};

/// A tag with its track-level score.
struct TagScore {
    size_t index = 0;
    std::string name;
    float score = 0.0f;
};

/// A time series mapped to seconds: values[i] covers [startSeconds[i], endSeconds[i]).
struct TimeSeries {
    std::vector<double> startSeconds;
    std::vector<double> endSeconds;
    std::vector<float> values;
};

/// Attention of an attention model over the whole track (chunks laid end to end).
/// Token i of each chunk (i >= 1) maps to the time span its conv front end covers.
struct AttentionExplanation {
    int layers = 0;
    int heads = 0;
    /// [layer][head]: the [CLS] row (attention the summary token pays to each position).
    std::vector<std::vector<TimeSeries>> clsRow;
    /// [layer]: the [CLS] row averaged over heads.
    std::vector<TimeSeries> clsRowMean;
    /// [layer]: attention each position receives (column sums), averaged over heads.
    std::vector<TimeSeries> receivedMean;
    /// Attention rollout (Abnar & Zuidema 2020, residual identity added): the [CLS] row of the
    /// product over layers of 0.5*(A + I), head-averaged and row-normalised.
    TimeSeries rollout;
};

/// Tag-wise contribution curves (Won et al. 2019): attention of `layer` forced onto one token at
/// a time; probabilities[tag] is the curve for that tag over the token time spans.
struct TagContributions {
    int layer = 0;
    std::vector<size_t> tags;                ///< which tags (output indices)
    std::vector<TimeSeries> curves;          ///< parallel to tags
};

/// Gradient x input relevance on the dB mel of one tag (whole track).
struct GradientRelevance {
    size_t tag = 0;
    dsp::Spectrogram map;                    ///< nMels x nFrames, same frames as TrackAnalysis::mel
    double frameSeconds = 0.0;
    TimeSeries perFrame;                     ///< sum over mel bins per frame
    bool smoothed = false;
};

/// Deletion test of an explanation: mask the top-k most relevant segments vs k random ones.
/// NOTE: superseded by FaithfulnessCurve (explanations.h); kept so old exports still read back.
struct Faithfulness {
    size_t tag = 0;
    std::string tagName;                     ///< the tag's name, for summary()
    std::string method;                      ///< "rollout", "gradient", "contribution", ...
    int k = 0;
    double segmentSeconds = 0.0;
    float baseline = 0.0f;                   ///< tag probability with nothing masked
    float afterTopK = 0.0f;                  ///< with the k most relevant segments masked
    float afterRandom = 0.0f;                ///< mean over random draws of k segments
    /// (baseline - afterTopK) - (baseline - afterRandom): > 0 means the explanation points at
    /// audio the model really uses.
    float advantage() const { return afterRandom - afterTopK; }
    std::string summary() const;             ///< one sentence for users
};

/// A coarse tag of an analysis (defined with the taxonomy, which computes it).
using CoarseTag = tags::CoarseTag;

/// Everything known about one analysed track.
struct TrackAnalysis {
    std::filesystem::path file;
    std::string modelId;
    std::vector<std::string> tagNames;       ///< output order
    std::vector<std::string> vocabularyOfTag;///< vocabulary name of each tag
    int sampleRate = 0;                      ///< the model's rate
    double durationSeconds = 0.0;
    double chunkSeconds = 0.0;
    double hopSeconds = 0.0;
    Taggram taggram;
    /// Per tag: the mean of the taggram's chunk probabilities, or, for a card with track chunks
    /// (ModelCard::trackChunkSamples), the mean over those longer chunks (trackChunkSeconds).
    std::vector<float> trackScores;
    /// Length of the chunks trackScores come from when they are not the taggram's (0: they are).
    double trackChunkSeconds = 0.0;
    dsp::Spectrogram mel;                    ///< dB mel of the whole track (display, relevance frames)
    double melFrameSeconds = 0.0;
    std::optional<AttentionExplanation> attention;
    std::vector<CoarseTag> hierarchy;
    /// Attention-based coarse head only: mean over chunks of each learned group's attention over
    /// the fine tags, groups x fine tags, row-major (empty otherwise). Fills CoarseTag::relation.
    std::vector<float> coarseRelation;
    /// Problems that did not stop the analysis (e.g. an unreadable taxonomy file), for users.
    std::vector<std::string> warnings;

    /// Tags sorted by descending track score (top `n`, 0 = all) at or above `threshold`.
    std::vector<TagScore> ranked(size_t n = 0, float threshold = 0.0f) const;
};

} // namespace tagscope::analysis

// NOTE: TagExplanation and the faithfulness-curve types live in explanations.h; it is included
// here so every user of the analysis types keeps seeing them (explanations.h includes this file
// first, #pragma once keeps the pair acyclic).
#include "core/analysis/explanations.h"
