// SPDX-License-Identifier: GPL-3.0-or-later
// Torch-facing inside of a Tagger: the network, its device and the mel front end. Include only
// from core/model and model-layer tests.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <span>
#include <vector>

#include "core/dsp/mel_spectrogram.h"
#include "core/cards/model_card.h"
#include "core/tags/taxonomy.h"
#include "core/model/nets/tagger_net.h"
#include "core/model/tagger.h"
#include "core/model/torch_shim.h"

namespace tagscope::model {

struct Tagger::Impl {
    cards::ModelCard card;
    std::shared_ptr<TaggerNet> net;
    torch::Device device{torch::kCPU};
    dsp::MelSpectrogram mel;
    int threads = 1;
    /// The card's tag hierarchy, read once when the model is prepared (not once per track);
    /// nullopt without one or when it cannot be read (then `taxonomyProblem` says why).
    std::optional<tags::Taxonomy> taxonomy;
    std::string taxonomyProblem;
    /// Largest single allocation of a one-chunk forward pass (bytes; 0 until the first
    /// analysis measured it): sizes batches so activations stay on the heap (chunksPerBatch).
    mutable std::atomic<size_t> chunkActivationBytes{0};

    Impl(cards::ModelCard c, std::shared_ptr<TaggerNet> n, torch::Device d, int nThreads);

    /// Sets at::set_num_threads(threads) on the calling thread when it differs.
    /// NOTE: torch's intra-op thread count is per calling thread (OpenMP), so every entry point
    /// that runs the net calls this; the thread that loaded the model need not be the one using it.
    void applyThreads() const;

    /// dB mel of one chunk of exactly card.chunkSamples samples (shorter spans are zero-padded).
    dsp::Spectrogram chunkMel(std::span<const float> samples) const;
    /// Stacks dB mels (all of the same size) into a B x nMels x T float tensor on the device.
    torch::Tensor melBatch(const std::vector<dsp::Spectrogram>& mels) const;
    /// Mel frames of one chunk.
    int64_t chunkFrames() const { return card.mel.frameCount(size_t(card.chunkSamples)); }
};

/// Tagger construction for model-layer code and tests: wraps an already built (and loaded) net.
/// The net is put in eval mode; `optimizeForInference` is called when `optimize` is true.
Result<std::unique_ptr<Tagger>> makeTagger(cards::ModelCard card, std::shared_ptr<TaggerNet> net,
                                           const LoadOptions& options = {}, bool optimize = true);

/// Row-major copy of a 2-D float tensor (any device) as B rows of C values.
std::vector<std::vector<float>> tensorRows(const torch::Tensor& t);

} // namespace tagscope::model
