// SPDX-License-Identifier: GPL-3.0-or-later
// A finished analysis' chunks with their dB mels kept in memory, so explanations can re-run the
// model on the same inputs (with parts masked). Torch-facing; include only from core/model.
#pragma once

#include <utility>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/audio/audio_decoder.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/model/engine/chunk_plan.h"
#include "core/model/engine/tagger_impl.h"

namespace tagscope::model {

/// [start, end) in seconds.
using Interval = std::pair<double, double>;

/// The chunks of an analysis (rebuilt from its taggram, so they match whatever chunking options
/// the analysis used), their dB mels, and each chunk's probability of one tag.
class ChunkedTrack {
public:
    /// Computes every chunk's mel and runs the model once on them (the unmasked baseline).
    static Result<ChunkedTrack> build(Tagger::Impl& impl, const analysis::TrackAnalysis& analysis,
                                      const audio::AudioBuffer& audio, size_t tag, const CancelToken* cancel);

    const std::vector<ChunkSpan>& chunks() const { return m_chunks; }
    const std::vector<dsp::Spectrogram>& mels() const { return m_mels; }
    double startSeconds(size_t chunk) const { return double(m_chunks[chunk].start) / m_sampleRate; }
    double validEndSeconds(size_t chunk) const;
    /// Lowest dB value of a chunk's mel: what masked frames are set to.
    float floorDb(size_t chunk) const { return m_floors[chunk]; }
    size_t tag() const { return m_tag; }
    /// Mean over chunks of the tag's probability with nothing masked.
    float baseline() const;

    /// The tag's track probability (mean over chunks) when every mel frame whose centre lies in
    /// one of `masked` is set to its chunk's lowest dB value (i.e. made silent in the model's
    /// eyes). Only chunks touched by the mask are run again.
    Result<float> maskedProbability(Tagger::Impl& impl, const std::vector<Interval>& masked,
                                    const CancelToken* cancel) const;

private:
    ChunkedTrack() = default;
    /// Runs the net on `mels` (any count) and returns the tag's probability per mel.
    Result<std::vector<float>> run(Tagger::Impl& impl, const std::vector<dsp::Spectrogram>& mels,
                                   const CancelToken* cancel) const;

    std::vector<ChunkSpan> m_chunks;
    std::vector<dsp::Spectrogram> m_mels;
    std::vector<float> m_floors;
    std::vector<float> m_baseline;
    size_t m_tag = 0;
    double m_sampleRate = 1.0;
    double m_frameSeconds = 0.0;
};

} // namespace tagscope::model
