// SPDX-License-Identifier: GPL-3.0-or-later
// Occlusion relevance of every tag, and time x frequency occlusion of one region.
#include <algorithm>
#include <cmath>

#include "core/model/explain/explainers.h"

namespace tagscope::model {
namespace {

/// HTK mel scale (torchaudio's default, as the front end uses).
double hzToMel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double melToHz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

/// Centre frequency of mel bin `m` of `n` between fMin and fMax (the filter peaks).
double binCentreHz(int m, int n, double fMin, double fMax) {
    const double lo = hzToMel(fMin), hi = hzToMel(fMax);
    return melToHz(lo + (hi - lo) * double(m + 1) / double(n + 1));
}

} // namespace

Result<analysis::OcclusionRelevance> occlusionRelevance(Tagger::Impl& impl, const ChunkedTrack& track,
                                                        const StepProgress& progress, const CancelToken* cancel) {
    const size_t segments = track.segmentCount(), tags = track.tagCount();
    analysis::OcclusionRelevance out;
    out.segmentSeconds = track.segmentSeconds();
    out.tagCount = tags;
    for (size_t j = 0; j < segments; ++j) {
        const auto [s, e] = track.segmentInterval(j);
        out.segmentStartSeconds.push_back(s);
        out.segmentEndSeconds.push_back(e);
    }
    std::vector<double> sums(segments * tags, 0.0);
    std::vector<int> counts(segments, 0);
    MaskedBatchRunner runner(impl, [&](size_t j, size_t c, const float* p) {
        for (size_t t = 0; t < tags; ++t) sums[j * tags + t] += double(track.baseline(c, t)) - double(p[t]);
        ++counts[j];
    });
    std::vector<uint8_t> flags(segments, 0);
    for (size_t c = 0; c < track.chunks().size(); ++c) {
        // The segments this chunk holds frames of, each masked alone.
        std::vector<int> held = track.frameSegments(c);
        held.erase(std::remove(held.begin(), held.end(), -1), held.end());
        held.erase(std::unique(held.begin(), held.end()), held.end());
        for (int j : held) {
            flags[size_t(j)] = 1;
            auto mel = track.maskSegments(c, flags);
            flags[size_t(j)] = 0;
            if (auto ok = runner.add(size_t(j), c, std::move(*mel), cancel); !ok) return fail(ok.error());
        }
        if (progress) progress(double(c + 1) / double(track.chunks().size()));
    }
    if (auto ok = runner.flush(cancel); !ok) return fail(ok.error());
    out.drops.assign(segments * tags, 0.0f);
    for (size_t j = 0; j < segments; ++j)
        if (counts[j] > 0)
            for (size_t t = 0; t < tags; ++t) out.drops[j * tags + t] = float(sums[j * tags + t] / counts[j]);
    return out;
}

Result<analysis::TimeFrequencyOcclusion> timeFrequencyOcclusion(Tagger::Impl& impl, const ChunkedTrack& track,
                                                                size_t tag, double start, double end,
                                                                int bandGroups, const StepProgress& progress,
                                                                const CancelToken* cancel) {
    const auto& cfg = impl.card.mel;
    if (!(end > start) || start >= track.durationSeconds() || end <= 0.0)
        return fail(Error::Kind::InvalidInput, {}, "the region to explain must lie inside the track and end after it starts");
    if (bandGroups < 1 || bandGroups > cfg.nMels)
        return fail(Error::Kind::InvalidInput, {}, "the number of frequency bands must be between 1 and " +
                    std::to_string(cfg.nMels));
    analysis::TimeFrequencyOcclusion out;
    out.tag = tag;
    out.tagName = impl.card.tagName(tag);
    std::vector<size_t> segs;
    for (size_t j = 0; j < track.segmentCount(); ++j) {
        const auto [s, e] = track.segmentInterval(j);
        if (e <= start || s >= end) continue;
        segs.push_back(j);
        out.segmentStartSeconds.push_back(s);
        out.segmentEndSeconds.push_back(e);
    }
    out.startSeconds = out.segmentStartSeconds.front();
    out.endSeconds = out.segmentEndSeconds.back();
    for (int b = 0; b < bandGroups; ++b) {
        const int first = b * cfg.nMels / bandGroups, last = (b + 1) * cfg.nMels / bandGroups;
        out.bandFirstMel.push_back(first);
        out.bandEndMel.push_back(last);
        // Edges halfway between neighbouring bin centres (the group's share of the spectrum).
        const auto edge = [&](int m) {
            if (m <= 0) return cfg.fMin;
            if (m >= cfg.nMels) return cfg.fMax;
            return melToHz(0.5 * (hzToMel(binCentreHz(m - 1, cfg.nMels, cfg.fMin, cfg.fMax)) +
                                  hzToMel(binCentreHz(m, cfg.nMels, cfg.fMin, cfg.fMax))));
        };
        out.bandLowHz.push_back(edge(first));
        out.bandHighHz.push_back(edge(last));
    }
    const size_t bands = size_t(bandGroups);
    std::vector<double> sums(segs.size() * bands, 0.0);
    std::vector<int> counts(segs.size() * bands, 0);
    MaskedBatchRunner runner(impl, [&](size_t cell, size_t c, const float* p) {
        sums[cell] += double(track.baseline(c, tag)) - double(p[tag]);
        ++counts[cell];
    });
    for (size_t c = 0; c < track.chunks().size(); ++c) {
        const auto& fs = track.frameSegments(c);
        for (size_t i = 0; i < segs.size(); ++i) {
            if (std::find(fs.begin(), fs.end(), int(segs[i])) == fs.end()) continue;
            for (size_t b = 0; b < bands; ++b) {
                auto mel = track.mels()[c];
                for (size_t f = 0; f < fs.size(); ++f) {
                    if (fs[f] != int(segs[i])) continue;
                    for (int m = out.bandFirstMel[b]; m < out.bandEndMel[b]; ++m) mel.at(m, int(f)) = track.floorDb(c);
                }
                if (auto ok = runner.add(i * bands + b, c, std::move(mel), cancel); !ok) return fail(ok.error());
            }
        }
        if (progress) progress(double(c + 1) / double(track.chunks().size()));
    }
    if (auto ok = runner.flush(cancel); !ok) return fail(ok.error());
    out.drops.assign(segs.size() * bands, 0.0f);
    for (size_t i = 0; i < out.drops.size(); ++i)
        if (counts[i] > 0) out.drops[i] = float(sums[i] / counts[i]);
    return out;
}

} // namespace tagscope::model
