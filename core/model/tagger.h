// SPDX-License-Identifier: GPL-3.0-or-later
// Torch-free public API of a loaded model. Safe to include from ui/ and app/.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/dsp/mel_spectrogram.h"
#include "core/cards/model_card.h"

namespace tagscope::model {

struct LoadOptions {
    std::string device = "auto"; ///< "auto" (CUDA when available, else CPU), "cpu", "cuda", "cuda:N"
    int threads = 0;             ///< intra-op threads; 0 = one per hardware core
};

/// A tagging model ready for inference: architecture + weights + device + mel front end.
/// Owned and used by one thread at a time (the worker thread in the GUI); not thread-safe.
class Tagger {
public:
    /// Loads the card's weights (safetensors, or upstream torch checkpoints: zip or legacy),
    /// checks the sha256 when the card has one, and prepares the model for inference.
    /// Errors name the weights file and the first offending keys.
    static Result<std::unique_ptr<Tagger>> load(const cards::ModelCard& card, const LoadOptions& options = {});
    ~Tagger();

    const cards::ModelCard& card() const;
    std::string deviceName() const;
    bool hasAttention() const;
    int attentionLayers() const;
    int attentionHeads() const;
    /// The model's mel front end (FFTW, torchaudio-exact).
    const dsp::MelSpectrogram& melFrontEnd() const;

    /// Probabilities (B x nTags) for waveform chunks of exactly card().chunkSamples each at
    /// card().sampleRate. Checks cancellation between batches.
    Result<std::vector<std::vector<float>>> predict(const std::vector<std::vector<float>>& chunks,
                                                    const CancelToken* cancel = nullptr);

    struct Impl;
    Impl& impl() { return *m_impl; } ///< for the model layer's own analysis code
    const Impl& impl() const { return *m_impl; } ///< for the model layer's own analysis code
    /// Model-layer construction from a prepared Impl (core/model/engine/tagger_impl.h).
    static std::unique_ptr<Tagger> fromImpl(std::unique_ptr<Impl> impl);

private:
    explicit Tagger(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace tagscope::model
