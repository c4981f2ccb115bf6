// SPDX-License-Identifier: GPL-3.0-or-later
// Synthetic material for surrogate tests: features with known effects on known tags.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "core/surrogate/surrogate_trainer.h"

namespace tagscope::test {

/// Features: tempo (BPM), loudness (LUFS), brightness (Hz), key strength, noise1, noise2.
inline std::vector<surrogate::SurrogateFeature> syntheticFeatures() {
    return {{"tempo_bpm", "tempo", "BPM"},           {"loudness_lufs", "loudness", "LUFS"},
            {"spectral_centroid_hz", "brightness", "Hz"}, {"key_strength", "key strength", ""},
            {"noise_a", "noise a", ""},               {"noise_b", "noise b", ""}};
}

/// Tag "dance" rises with tempo, tag "bright" only with key strength (feature 3), tag "loud"
/// with loudness. `tracks` tracks with `segments` segment rows each; track rows average them.
/// Tracks alternate train / test (every third is test).
inline surrogate::SurrogateDataset syntheticDataset(int tracks = 60, int segments = 6, unsigned seed = 7) {
    surrogate::SurrogateDataset data;
    data.features = syntheticFeatures();
    data.tags = {"dance", "bright", "loud"};
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    auto targets = [](const std::vector<float>& f) {
        const float dance = f[0] > 120.0f ? 0.8f : 0.1f;
        const float bright = 0.1f + 0.8f * f[3];
        const float loud = std::clamp((f[1] + 30.0f) / 25.0f, 0.0f, 1.0f);
        return std::vector<float>{dance, bright, loud};
    };
    for (int t = 0; t < tracks; ++t) {
        const std::string split = t % 3 == 2 ? "test" : "train";
        const float trackTempo = 60.0f + 120.0f * unit(rng);
        std::vector<float> mean(6, 0.0f), meanY(3, 0.0f);
        for (int s = 0; s < segments; ++s) {
            std::vector<float> f = {trackTempo + 4.0f * (unit(rng) - 0.5f), -30.0f + 25.0f * unit(rng),
                                    500.0f + 3000.0f * unit(rng), unit(rng), unit(rng), unit(rng)};
            const auto y = targets(f);
            data.addRow(f, y, split, t, false);
            for (size_t i = 0; i < 6; ++i) mean[i] += f[i] / float(segments);
            for (size_t i = 0; i < 3; ++i) meanY[i] += y[i] / float(segments);
        }
        data.addRow(mean, meanY, split, t, true);
    }
    return data;
}

/// A small trained surrogate over syntheticDataset().
inline surrogate::SurrogateModel syntheticSurrogate(int rounds = 30) {
    surrogate::SurrogateTrainOptions options;
    options.modelId = "synthetic";
    options.booster.rounds = rounds;
    options.booster.learningRate = 0.3;
    auto model = surrogate::trainSurrogate(syntheticDataset(), options);
    return model ? std::move(*model) : surrogate::SurrogateModel{};
}

} // namespace tagscope::test
