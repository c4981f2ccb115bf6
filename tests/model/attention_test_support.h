// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers of the attention model tests: golden tensors to torch, mel front end, weights.
#pragma once

#include <filesystem>
#include <span>

#include "core/common/tensor.h"
#include "core/dsp/mel_spectrogram.h"
#include "core/io/torch_checkpoint.h"
#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// A host tensor as a (copied) float32 torch tensor.
inline torch::Tensor toTorch(const HostTensor& h) {
    return torch::from_blob(const_cast<float*>(h.data.data()), h.shape, torch::kFloat32).clone();
}

/// The MTT's front end: 22.05 kHz, n_fft 1024, hop 512, 0-11025 Hz, 128 mels.
inline dsp::MelConfig mttMelConfig() { return {22050, 1024, 512, 0.0, 11025.0, 128}; }
/// CNNSA's front end: 16 kHz, n_fft 512, hop 256, 0-8000 Hz, 128 mels.
inline dsp::MelConfig cnnsaMelConfig() { return {16000, 512, 256, 0.0, 8000.0, 128}; }

/// dB mel spectrograms (B x nMels x T) of the rows of `waveforms` (B x samples).
inline torch::Tensor dbMel(const torch::Tensor& waveforms, const dsp::MelConfig& config) {
    const dsp::MelSpectrogram mel(config);
    std::vector<torch::Tensor> rows;
    for (int64_t b = 0; b < waveforms.size(0); ++b) {
        const auto w = waveforms[b].contiguous();
        auto s = mel.decibels(std::span<const float>(w.data_ptr<float>(), size_t(w.numel())));
        rows.push_back(torch::from_blob(s.values.data(), {s.nMels, s.nFrames}, torch::kFloat32).clone());
    }
    return torch::stack(rows);
}

/// Upstream weights as saved by torch.save (the C++ checkpoint reader, no Python).
inline Result<TensorMap> readWeights(const std::filesystem::path& path) { return io::readTorchCheckpoint(path); }

} // namespace tagscope::model
