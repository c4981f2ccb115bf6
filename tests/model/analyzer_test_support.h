// SPDX-License-Identifier: GPL-3.0-or-later
// Tiny tagger nets and cards for testing the analysis pipeline independently of the real
// architectures: a mean-pool + linear net (analytic gradient) and a small attention net.
#pragma once

#include <cmath>
#include <memory>
#include <numbers>
#include <vector>

#include "core/model/engine/tagger_impl.h"
#include "core/model/nets/tagger_net.h"

namespace tagscope::test {

/// 8 kHz, chunks of `chunkSeconds`, n_fft 256, hop 128, 16 mels up to 4 kHz, tags a, b, c.
inline cards::ModelCard tinyCard(double chunkSeconds = 1.0, const std::string& id = "tiny") {
    cards::ModelCard card;
    card.id = id;
    card.architecture = "tiny";
    card.sampleRate = 8000;
    card.chunkSamples = int64_t(std::llround(chunkSeconds * 8000));
    card.mel = {8000, 256, 128, 0.0, 4000.0, 16};
    card.vocabularies = {{"tiny", {"a", "b", "c"}}};
    return card;
}

/// P(tag) = sigmoid(kScale * sum_m W[tag, m] * mean_t x[m, t] + b[tag]).
class MeanPoolNet : public model::TaggerNet {
public:
    static constexpr double kScale = 0.05;
    MeanPoolNet(int nMels, int nTags, float bias = 2.0f) {
        auto w = torch::zeros({nTags, nMels});
        for (int t = 0; t < nTags; ++t)
            for (int m = 0; m < nMels; ++m) w[t][m] = float(std::sin(0.7 * (t + 1) * (m + 1)));
        // Tag 0 listens to mel bins 6..9 only (a tone near 1 kHz lands there).
        w[0].zero_();
        w[0].slice(0, 6, 10).fill_(1.0f);
        m_weight = register_parameter("weight", w);
        m_bias = register_parameter("bias", torch::full({nTags}, bias));
    }
    torch::Tensor forward(const torch::Tensor& dbMel, model::AttentionControl* = nullptr) override {
        return torch::sigmoid(kScale * torch::matmul(dbMel.mean(2), m_weight.t()) + m_bias);
    }
    torch::Tensor m_weight, m_bias;
};

/// Tokens = 4-frame mean pools of the mel projected to D, [CLS] first; `layers` single-head-
/// group attention layers with residuals; head reads [CLS]. Honours AttentionControl.
class TinyAttentionNet : public model::TaggerNet {
public:
    static constexpr int64_t kFrames = 4, kDim = 8, kHeads = 2;
    TinyAttentionNet(int nMels, int nTags, int layers) : m_layers(layers) {
        m_proj = register_module("proj", torch::nn::Linear(nMels, kDim));
        m_cls = register_parameter("cls", torch::randn({1, 1, kDim}));
        for (int l = 0; l < layers; ++l) {
            m_qkv.push_back(register_module("qkv" + std::to_string(l), torch::nn::Linear(kDim, 3 * kDim)));
            m_out.push_back(register_module("out" + std::to_string(l), torch::nn::Linear(kDim, kDim)));
        }
        m_head = register_module("head", torch::nn::Linear(kDim, nTags));
    }
    bool hasAttention() const override { return true; }
    int attentionLayers() const override { return m_layers; }
    int attentionHeads() const override { return int(kHeads); }
    int64_t tokenCount(int64_t nFrames) const override { return 1 + nFrames / kFrames; }
    std::pair<int64_t, int64_t> tokenFrameSpan(int64_t token, int64_t nFrames) const override {
        const int64_t last = tokenCount(nFrames) - 1;
        return {kFrames * (token - 1), token == last ? nFrames : kFrames * token};
    }
    torch::Tensor encode(const torch::Tensor& dbMel) override {
        const int64_t b = dbMel.size(0), m = dbMel.size(1), n = dbMel.size(2) / kFrames;
        auto pooled = dbMel.slice(2, 0, n * kFrames).reshape({b, m, n, kFrames}).mean(-1).transpose(1, 2);
        auto tokens = m_proj(pooled * 0.02);
        return torch::cat({m_cls.expand({b, 1, kDim}), tokens}, 1);
    }
    torch::Tensor decode(const torch::Tensor& tokens, model::AttentionControl* control) override {
        if (control) control->captured.clear();
        auto x = tokens;
        const int64_t b = x.size(0), n = x.size(1), d = kDim / kHeads;
        for (int l = 0; l < m_layers; ++l) {
            auto qkv = m_qkv[size_t(l)](x).reshape({b, n, 3, kHeads, d}).permute({2, 0, 3, 1, 4});
            auto w = torch::softmax(torch::matmul(qkv[0], qkv[1].transpose(-1, -2)) / std::sqrt(double(d)), -1);
            if (control && control->forceLayer == l)
                w = torch::one_hot(control->forceTokens.to(torch::kLong), n).to(w.dtype()).view({b, 1, 1, n}).expand({b, kHeads, n, n});
            if (control && control->capture) control->captured.push_back(torch::GradMode::is_enabled() ? w : w.detach());
            x = x + m_out[size_t(l)](torch::matmul(w, qkv[2]).transpose(1, 2).reshape({b, n, kDim}));
        }
        return torch::sigmoid(m_head(x.select(1, 0)));
    }
    torch::Tensor forward(const torch::Tensor& dbMel, model::AttentionControl* control = nullptr) override {
        return decode(encode(dbMel), control);
    }

private:
    int m_layers;
    torch::nn::Linear m_proj{nullptr}, m_head{nullptr};
    torch::Tensor m_cls;
    std::vector<torch::nn::Linear> m_qkv, m_out;
};

/// A Tagger around `net` on the CPU with one thread (tests share two cores).
inline std::shared_ptr<model::Tagger> tinyTagger(std::shared_ptr<model::TaggerNet> net, cards::ModelCard card) {
    auto t = model::makeTagger(std::move(card), std::move(net), {"cpu", 1});
    if (!t) ADD_FAILURE() << t.error().message;
    return t ? std::shared_ptr<model::Tagger>(std::move(*t)) : nullptr;
}

/// `seconds` of a sine at `hz` (amplitude `amp`) plus seeded white noise of amplitude `noise`.
inline audio::AudioBuffer toneAudio(double seconds, double hz, float amp = 0.5f, float noise = 0.01f, int rate = 8000,
                                    unsigned seed = 7) {
    audio::AudioBuffer a;
    a.sampleRate = rate;
    a.samples.resize(size_t(std::llround(seconds * rate)));
    uint32_t state = seed;
    for (size_t i = 0; i < a.samples.size(); ++i) {
        state = state * 1664525u + 1013904223u;
        const float white = float(state >> 8) / float(1u << 24) * 2.0f - 1.0f;
        a.samples[i] = amp * float(std::sin(2.0 * std::numbers::pi * hz * double(i) / rate)) + noise * white;
    }
    return a;
}

} // namespace tagscope::test
