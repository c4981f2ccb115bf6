// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/training/grow_student.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace tagscope::model::training {
namespace {

constexpr std::string_view kLayerPrefix = "transformer.layers.";

/// The layer number of a "transformer.layers.<n>.…" key; nullopt when the key names none.
std::optional<int64_t> layerOf(const std::string& key) {
    if (!key.starts_with(kLayerPrefix)) return std::nullopt;
    const char* first = key.data() + kLayerPrefix.size();
    const char* last = key.data() + key.size();
    int64_t layer = -1;
    const auto [end, error] = std::from_chars(first, last, layer);
    if (error != std::errc{} || end == first || end == last || *end != '.' || layer < 0) return std::nullopt;
    return layer;
}

bool residualOutput(const std::string& key) {
    return key.find(".fn.fn.to_out.") != std::string::npos || key.find(".fn.fn.net.3.") != std::string::npos;
}

/// out[r][c] = in[rows[r]][cols[c]] * rowScale[r] * colScale: rows and columns picked by index.
HostTensor remap(const HostTensor& in, const std::vector<int64_t>& rows, const std::vector<float>& rowScale,
                 const std::vector<int64_t>& cols, float colScale) {
    const int64_t inCols = in.shape.size() == 2 ? in.shape[1] : 1;
    HostTensor out;
    out.shape = in.shape.size() == 2 ? std::vector<int64_t>{int64_t(rows.size()), int64_t(cols.size())}
                                     : std::vector<int64_t>{int64_t(rows.size())};
    out.data.resize(rows.size() * cols.size());
    for (size_t r = 0; r < rows.size(); ++r)
        for (size_t c = 0; c < cols.size(); ++c)
            out.data[r * cols.size() + c] = in.data[size_t(rows[r] * inCols + cols[c])] * rowScale[r] * colScale;
    return out;
}

std::vector<int64_t> identity(int64_t n) {
    std::vector<int64_t> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[size_t(i)] = i;
    return v;
}

/// Widens one tensor of a k-times wider student; nullopt when the key is not a token-width tensor.
struct Widener {
    int64_t k;
    std::vector<int64_t> unit, hidden; ///< new index -> source index (token units, feed-forward units)

    std::optional<HostTensor> operator()(const std::string& key, const HostTensor& w) const {
        const std::vector<int64_t> one{0};
        auto ones = [](size_t n) { return std::vector<float>(n, 1.0f); };
        const float share = 1.0f / float(k);
        auto vec = [&](const std::vector<int64_t>& map) { return remap(w, map, ones(map.size()), one, 1.0f); };
        auto matrix = [&](const std::vector<int64_t>& rows, const std::vector<int64_t>& cols, float colScale) {
            return remap(w, rows, ones(rows.size()), cols, colScale);
        };
        const auto ends = [&](std::string_view s) { return key.ends_with(s); };
        if (key == "cls_token" || ends(".norm.weight") || ends(".norm.bias") || key == "mlp_head.0.weight" ||
            key == "mlp_head.0.bias" || key == "frontend.fc.bias" || ends(".to_out.0.bias") || ends(".net.3.bias"))
            return vec(unit);
        if (ends(".net.0.bias")) return vec(hidden);
        if (key == "pos_embedding") { // 1 x positions x width: positions are the rows
            const HostTensor flat{{w.shape[1], w.shape[2]}, w.data};
            auto out = remap(flat, identity(w.shape[1]), ones(size_t(w.shape[1])), unit, 1.0f);
            out.shape = {1, out.shape[0], out.shape[1]};
            return out;
        }
        if (key == "frontend.fc.weight") return matrix(unit, identity(w.shape[1]), 1.0f);
        if (key == "mlp_head.1.weight") return matrix(identity(w.shape[0]), unit, share);
        if (ends(".to_out.0.weight")) return matrix(unit, unit, share);
        if (ends(".net.0.weight")) return matrix(hidden, unit, share);
        if (ends(".net.3.weight")) return matrix(unit, hidden, share);
        if (ends(".to_qkv.weight")) { // q, k, v stacked; queries scaled by 1/sqrt(k)
            const int64_t width = w.shape[1];
            std::vector<int64_t> rows;
            std::vector<float> scale;
            for (int64_t part = 0; part < 3; ++part)
                for (int64_t u : unit) {
                    rows.push_back(part * width + u);
                    scale.push_back(part == 0 ? float(1.0 / std::sqrt(double(k))) : 1.0f);
                }
            return remap(w, rows, scale, unit, share);
        }
        return std::nullopt;
    }

};

/// Which source channel each channel of a wider conv front end copies: the first `from` are the
/// source's own, the rest copy them in turn (so any width of at least `from` can grow).
struct ChannelMap {
    std::vector<int64_t> source;              ///< wider channel -> source channel
    std::vector<std::vector<int64_t>> copies; ///< source channel -> the wider channels holding it

    ChannelMap(int64_t from, int64_t to) : copies(size_t(from)) {
        for (int64_t j = 0; j < to; ++j) {
            source.push_back(j % from);
            copies[size_t(j % from)].push_back(j);
        }
    }
};

/// Share of its source weight each copy of an input channel gets: about 1/n each, jittered by
/// up to this fraction, the shares summing to 1 (so the function is kept but the copies differ).
constexpr float kSplitJitter = 0.2f;

/// `w` seen as rows x channels x inner; rows picked by `rows` (nullptr: kept); with `channels`,
/// each input channel is spread over its copies with random shares summing to 1, element by
/// element, so copies of a channel get different gradients and learn apart (Net2WiderNet's noise).
HostTensor widenChannels(const HostTensor& w, int64_t inner, const ChannelMap* rows, const ChannelMap* channels,
                         std::mt19937& rng) {
    const int64_t rowsFrom = w.shape[0], channelsFrom = w.numel() / rowsFrom / inner;
    const int64_t rowsTo = rows ? int64_t(rows->source.size()) : rowsFrom;
    const int64_t channelsTo = channels ? int64_t(channels->source.size()) : channelsFrom;
    HostTensor out;
    out.data.assign(size_t(rowsTo * channelsTo * inner), 0.0f);
    std::uniform_real_distribution<float> jitter(-kSplitJitter, kSplitJitter);
    std::vector<float> share;
    for (int64_t r = 0; r < rowsTo; ++r) {
        const int64_t sourceRow = rows ? rows->source[size_t(r)] : r;
        for (int64_t c = 0; c < channelsFrom; ++c) {
            const std::vector<int64_t>* targets = channels ? &channels->copies[size_t(c)] : nullptr;
            const size_t n = targets ? targets->size() : 1;
            for (int64_t e = 0; e < inner; ++e) {
                const float v = w.data[size_t((sourceRow * channelsFrom + c) * inner + e)];
                share.assign(n, 1.0f / float(n));
                if (n > 1) {
                    float mean = 0.0f;
                    for (auto& s : share) mean += (s = jitter(rng));
                    mean /= float(n);
                    for (auto& s : share) s = (1.0f + s - mean) / float(n);
                }
                for (size_t j = 0; j < n; ++j) {
                    const int64_t to = targets ? (*targets)[j] : c;
                    out.data[size_t((r * channelsTo + to) * inner + e)] = v * share[j];
                }
            }
        }
    }
    return out;
}

constexpr std::string_view kFrontEnd = "frontend.";
constexpr const char* kFirstConv = "frontend.layer1.conv_1.weight";

/// Widens the conv front end of `weights` in place to the channels of `fresh` (see growStudent).
Result<void> widenFrontEnd(TensorMap& weights, const TensorMap& fresh, int64_t from, int64_t to, uint32_t seed,
                           const std::filesystem::path& sourcePath) {
    const ChannelMap map(from, to);
    std::mt19937 rng(seed);
    for (auto& [key, w] : weights) {
        if (!key.starts_with(kFrontEnd)) continue;
        const auto it = fresh.find(key);
        if (it == fresh.end() || it->second.shape == w.shape) continue;
        const auto& target = it->second.shape;
        auto mismatch = [&] {
            return fail(Error::Kind::Mismatch, sourcePath,
                        "conv front end cannot grow from " + std::to_string(from) + " to " + std::to_string(to) +
                            " channels: " + key + " is " + w.shapeString() + ", the student's " + it->second.shapeString());
        };
        if (key == "frontend.fc.weight") { // tokens x (channels * bands): the channels' columns spread
            if (w.shape.size() != 2 || w.shape[1] % from != 0) return mismatch();
            const int64_t bands = w.shape[1] / from;
            HostTensor wide = widenChannels(w, bands, nullptr, &map, rng);
            wide.shape = {w.shape[0], to * bands};
            if (wide.shape[1] != target.at(1)) return mismatch();
            w = std::move(wide);
        } else if (w.shape.size() == 4 && target.size() == 4) { // out x in x kernel
            const bool rows = target[0] != w.shape[0], channels = target[1] != w.shape[1];
            if ((rows && (w.shape[0] != from || target[0] != to)) || (channels && (w.shape[1] != from || target[1] != to)) ||
                target[2] != w.shape[2] || target[3] != w.shape[3])
                return mismatch();
            HostTensor wide = widenChannels(w, w.shape[2] * w.shape[3], rows ? &map : nullptr, channels ? &map : nullptr, rng);
            wide.shape = target;
            w = std::move(wide);
        } else if (w.shape.size() == 1 && target.size() == 1 && w.shape[0] == from && target[0] == to) {
            HostTensor wide = widenChannels(w, 1, &map, nullptr, rng); // biases, batch-norm scales and statistics
            wide.shape = target;
            w = std::move(wide);
        } else {
            return mismatch();
        }
    }
    return {};
}

} // namespace

Result<GrownStudent> growStudent(const TensorMap& sourceIn, const TensorMap& fresh, int64_t heads,
                                 const std::filesystem::path& sourcePath, uint32_t seed) {
    TensorMap source = sourceIn; // its front end widened below when the student's is wider
    const auto width = [](const TensorMap& m) -> int64_t {
        const auto it = m.find("cls_token");
        return it == m.end() || it->second.shape.size() != 1 ? 0 : it->second.shape[0];
    };
    const int64_t from = width(source), to = width(fresh);
    if (from <= 0 || to <= 0)
        return fail(Error::Kind::Mismatch, sourcePath, "is not a Music Tagging Transformer student (no cls_token)");
    if (to % from != 0)
        return fail(Error::Kind::Mismatch, sourcePath,
                    "token width " + std::to_string(from) + " cannot grow to " + std::to_string(to) +
                        " (only to a whole multiple)");
    GrownStudent grown;
    grown.widthFactor = to / from;

    // The conv front end first: wider channels, then everything else as at its old width.
    const auto firstConv = source.find(kFirstConv);
    const auto freshConv = fresh.find(kFirstConv);
    if (firstConv != source.end() && freshConv != fresh.end() && firstConv->second.shape.size() == 4 &&
        freshConv->second.shape.size() == 4 && firstConv->second.shape[0] != freshConv->second.shape[0]) {
        const int64_t convFrom = firstConv->second.shape[0], convTo = freshConv->second.shape[0];
        if (convTo < convFrom)
            return fail(Error::Kind::Mismatch, sourcePath,
                        "conv front end of " + std::to_string(convFrom) + " channels cannot shrink to " +
                            std::to_string(convTo) + " (" + std::string(kFirstConv) + ")");
        if (auto ok = widenFrontEnd(source, fresh, convFrom, convTo, seed, sourcePath); !ok) return fail(ok.error());
        grown.convChannelsFrom = convFrom;
        grown.convChannels = convTo;
    }
    const int64_t k = grown.widthFactor;

    Widener widen{k, {}, {}};
    if (k > 1) {
        if (heads <= 0 || from % heads != 0)
            return fail(Error::Kind::Mismatch, sourcePath,
                        "token width " + std::to_string(from) + " does not split into " + std::to_string(heads) + " heads");
        for (const auto& [key, value] : fresh)
            if (key.starts_with("coarse_head."))
                return fail(Error::Kind::Mismatch, sourcePath,
                            "a student with a learned coarse head cannot be widened from it (" + key + ")");
        // Head by head: new head h holds k copies of the source head h's units.
        const int64_t headFrom = from / heads, headTo = to / heads;
        for (int64_t j = 0; j < to; ++j) widen.unit.push_back(j / headTo * headFrom + j % headTo % headFrom);
        int64_t hiddenFrom = 0, hiddenTo = 0;
        for (const auto& [key, value] : source)
            if (key.ends_with(".net.0.bias")) hiddenFrom = value.shape[0];
        for (const auto& [key, value] : fresh)
            if (key.ends_with(".net.0.bias")) hiddenTo = value.shape[0];
        if (hiddenFrom <= 0 || hiddenTo != k * hiddenFrom)
            return fail(Error::Kind::Mismatch, sourcePath,
                        "feed-forward width " + std::to_string(hiddenFrom) + " does not grow by " + std::to_string(k) +
                            " to " + std::to_string(hiddenTo));
        for (int64_t j = 0; j < hiddenTo; ++j) widen.hidden.push_back(j % hiddenFrom);
    }

    int64_t sourceLayers = 0;
    for (const auto& [key, value] : source) {
        if (!key.starts_with(kLayerPrefix)) continue;
        const auto layer = layerOf(key);
        if (!layer) return fail(Error::Kind::Mismatch, sourcePath, "has a transformer tensor without a layer number: " + key);
        sourceLayers = std::max(sourceLayers, *layer + 1);
    }

    // Keys of the source that the student lacks stay in, so loading names them as unexpected.
    grown.weights = source;
    std::vector<bool> added;
    for (const auto& [key, value] : fresh) {
        const auto it = source.find(key);
        if (it != source.end()) {
            // NOTE: at the same width a shape mismatch is left for loading, which names them all.
            if (it->second.shape == value.shape || k == 1) continue;
            std::optional<HostTensor> wide = k > 1 ? widen(key, it->second) : std::nullopt;
            if (!wide || wide->shape != value.shape)
                return fail(Error::Kind::Mismatch, sourcePath,
                            "weights do not fit the architecture: " + key + " is " + it->second.shapeString() +
                                ", the student's " + value.shapeString());
            grown.weights[key] = std::move(*wide);
        } else if (key.starts_with("coarse_head.")) {
            grown.weights[key] = value;
        } else if (const auto layer = layerOf(key); sourceLayers > 0 && layer && *layer >= sourceLayers) {
            HostTensor t = value;
            if (residualOutput(key)) std::fill(t.data.begin(), t.data.end(), 0.0f);
            grown.weights[key] = std::move(t);
            if (added.size() <= size_t(*layer)) added.resize(size_t(*layer) + 1, false);
            added[size_t(*layer)] = true;
        }
        // Anything else the source lacks stays missing: loading names it.
    }
    for (bool a : added) grown.addedLayers += a ? 1 : 0;
    return grown;
}

} // namespace tagscope::model::training
