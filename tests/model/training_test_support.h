// SPDX-License-Identifier: GPL-3.0-or-later
// A tiny synthetic distillation task shared by the trainer and coarse-head tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "core/model/training/trainer.h"

namespace tagscope::test {

inline constexpr int64_t kSyntheticMels = 16, kSyntheticFrames = 64, kSyntheticTags = 4;

/// Windows of noise in which tag k is "on" (target 0.9, else 0.1) when mel bands
/// [4k, 4k + 4) are raised by 12 dB: a task the student can only solve by listening.
inline model::training::WindowSet syntheticWindows(int64_t windows, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(-20.0f, 4.0f);
    std::bernoulli_distribution on(0.5);
    model::training::WindowSet set;
    set.mel.shape = {windows, kSyntheticMels, kSyntheticFrames};
    set.targets.shape = {windows, kSyntheticTags};
    for (int64_t w = 0; w < windows; ++w) {
        std::vector<bool> tags(kSyntheticTags);
        for (int64_t k = 0; k < kSyntheticTags; ++k) tags[size_t(k)] = on(rng);
        for (int64_t m = 0; m < kSyntheticMels; ++m)
            for (int64_t t = 0; t < kSyntheticFrames; ++t)
                set.mel.data.push_back(noise(rng) + (tags[size_t(m / 4)] ? 12.0f : 0.0f));
        for (int64_t k = 0; k < kSyntheticTags; ++k) set.targets.data.push_back(tags[size_t(k)] ? 0.9f : 0.1f);
    }
    return set;
}

} // namespace tagscope::test
