// SPDX-License-Identifier: GPL-3.0-or-later
// The one analysis path of the GUI and the CLI: decode -> resample -> chunk -> batch through a
// model -> track tags -> explanations. Torch-free header.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/audio/audio_decoder.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/model/tagger.h"

namespace tagscope::model {

struct AnalysisOptions {
    double hopSeconds = 0.0;        ///< chunk hop; 0 = chunk length (non-overlapping)
    bool padLastChunk = true;       ///< last partial chunk kept (true) or dropped (false);
                                    ///< a track shorter than one chunk is always padded
    /// With padLastChunk: the kept last chunk ends at the track's end and overlaps the previous
    /// chunk (true, default) instead of being zero-padded (false). NOTE: a mostly padded chunk
    /// is mostly silence and would pull the track mean towards "quiet" tags.
    bool alignLastChunkToEnd = true;
    int batchSize = 8;              ///< chunks per forward pass (the first pass runs one chunk alone,
                                    ///< so the first tags arrive as early as possible); at most
                                    ///< 120 s of audio per pass (4 chunks of 29 s) to bound memory
    bool attention = true;          ///< collect attention maps + rollout (attention models)
    /// Compute the whole track's dB mel spectrogram (TrackAnalysis::mel) for display. NOTE: the
    /// model reads its own per-chunk mels; tag, scan and the catalog never use the track's, so
    /// they turn it off (and TaggerAnalyzer's streaming mode needs it off).
    bool trackMel = true;
    /// Resampler used by analyzeFile. NOTE: torchaudio's windowed sinc by default: its pass band
    /// is as wide as libsamplerate's best converter (the top mel bands stay intact) and it is
    /// ~25x faster, which is what makes a 4-minute track decode in well under a second.
    audio::ResampleQuality resampleQuality = audio::ResampleQuality::Torchaudio;
};

/// Deletion and insertion curves of random orderings of a track's segments, for every tag at
/// once: deletion[r][i][tag], insertion[r][i][tag] for ordering r and fraction i. They do not
/// depend on the tag explained, so one set serves every tag of an analysis (see
/// ExplainOptions::randomCurves).
struct RandomCurveSet {
    std::vector<double> fractions;
    std::vector<std::vector<std::vector<float>>> deletion;
    std::vector<std::vector<std::vector<float>>> insertion;
    // What the set was drawn for; a cache is reused only when all of these match.
    std::string modelId;
    double durationSeconds = 0.0;
    double segmentSeconds = 0.0;
    size_t segmentCount = 0;
    unsigned seed = 0;

    int orderings() const { return int(deletion.size()); }
};

/// What Analyzer::explain computes for one tag. Defaults give everything a user sees first
/// (occlusion of every tag, gradient relevance, attention methods) and the faithfulness curves.
struct ExplainOptions {
    /// Segment length of occlusion, faithfulness curves and evidence (0.5-2 s recommended).
    double segmentSeconds = 1.0;
    bool occlusion = true;          ///< occlusion relevance (every model)
    /// Occlusion of every tag computed before (same analysis, same segmentSeconds): reused
    /// instead of recomputed. May be null.
    const analysis::OcclusionRelevance* occlusionOfAllTags = nullptr;
    bool contribution = true;       ///< forced-attention contribution curve (attention models)
    int contributionLayer = -1;     ///< layer to force; -1 = last
    bool attribution = true;        ///< gradient-weighted attention rollout (attention models)
    bool gradient = true;           ///< gradient x input relevance
    bool smooth = false;            ///< smooth the relevance map (SmoothGrad-style averaging)
    bool faithfulness = true;       ///< deletion/insertion curves for each method computed
    int randomOrderings = 20;       ///< random orderings the curves are compared with
    int evidenceSegments = 3;       ///< top segments of the best method kept as evidence
    unsigned seed = 1234;           ///< deterministic random orderings and SmoothGrad noise
    /// Cache of the random orderings' curves of this analysis (may be null). Reused when it was
    /// drawn for the same model, track length, segments, orderings and seed; otherwise computed
    /// and stored into it. NOTE: the random curves are most of the faithfulness cost and the
    /// same for every tag; give one cache per analysis (never share it between analyses).
    RandomCurveSet* randomCurves = nullptr;
};

/// Time x frequency occlusion request (Analyzer::explainRegion).
struct RegionOptions {
    double segmentSeconds = 1.0;    ///< time resolution (the track's segment grid)
    int bandGroups = 8;             ///< mel-band groups (frequency resolution)
};

/// Runs analyses with one Tagger. Call from one thread at a time (the thread owning the model).
class Analyzer {
public:
    explicit Analyzer(std::shared_ptr<Tagger> tagger);

    using ChunkCallback = std::function<void(const analysis::ChunkPrediction&)>;

    /// Decodes `file` at the model's rate and analyses it. `onChunk` receives each chunk's
    /// probabilities as soon as its batch is done (on the calling thread). Progress stages:
    /// "decode", "mel", "model", "attention". Cancellation returns Error::Kind::Cancelled promptly.
    Result<analysis::TrackAnalysis> analyzeFile(const std::filesystem::path& file, const AnalysisOptions& options = {},
                                                const ProgressFn& progress = {}, const CancelToken* cancel = nullptr,
                                                const ChunkCallback& onChunk = {},
                                                audio::AudioBuffer* decodedOut = nullptr);

    /// Same, on samples already decoded at the model's rate (`audio.sampleRate` must match).
    Result<analysis::TrackAnalysis> analyzeAudio(const audio::AudioBuffer& audio, const AnalysisOptions& options = {},
                                                 const ProgressFn& progress = {}, const CancelToken* cancel = nullptr,
                                                 const ChunkCallback& onChunk = {});

    /// Explanations of one tag of a finished analysis; `audio` is the same decoded audio.
    /// Methods: occlusion, contribution + attribution (attention models), gradient, and the
    /// analysis' attention rollout; with options.faithfulness their curves (addFaithfulness()).
    /// Progress stage "explain".
    Result<analysis::TagExplanation> explain(const analysis::TrackAnalysis& result, const audio::AudioBuffer& audio,
                                             size_t tag, const ExplainOptions& options = {},
                                             const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

    /// Occlusion relevance of every tag (the first explanation a user sees): each segment of
    /// `segmentSeconds` masked in turn, the chunks holding it re-run. Progress stage "occlusion".
    Result<analysis::OcclusionRelevance> occlusion(const analysis::TrackAnalysis& result, const audio::AudioBuffer& audio,
                                                   double segmentSeconds = 1.0, const ProgressFn& progress = {},
                                                   const CancelToken* cancel = nullptr);

    /// Faithfulness curves of every method present in `explanation` (computed by explain() with
    /// options.faithfulness false), written into explanation.curves; sets bestMethod and the
    /// evidence segments from the most faithful method. `options` as given to explain().
    Result<void> addFaithfulness(const analysis::TrackAnalysis& result, const audio::AudioBuffer& audio,
                                 analysis::TagExplanation& explanation, const ExplainOptions& options = {},
                                 const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

    /// Time x frequency occlusion of `tag` over [start, end) seconds of the track.
    Result<analysis::TimeFrequencyOcclusion> explainRegion(const analysis::TrackAnalysis& result,
                                                           const audio::AudioBuffer& audio, size_t tag, double start,
                                                           double end, const RegionOptions& options = {},
                                                           const ProgressFn& progress = {},
                                                           const CancelToken* cancel = nullptr);

    const Tagger& tagger() const { return *m_tagger; }

private:
    std::shared_ptr<Tagger> m_tagger;
};

} // namespace tagscope::model
