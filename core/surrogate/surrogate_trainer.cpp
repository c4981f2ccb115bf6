// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/surrogate/surrogate_trainer.h"

#include <algorithm>

namespace tagscope::surrogate {
namespace {

/// The rows of `data` in `split` (all rows, or only track / only segment rows).
std::vector<size_t> rowsOf(const SurrogateDataset& data, const std::string& split, int kind) {
    std::vector<size_t> rows;
    for (size_t r = 0; r < data.x.rows; ++r)
        if (data.split[r] == split && (kind < 0 || int(data.isTrack[r]) == kind)) rows.push_back(r);
    return rows;
}

FeatureMatrix pick(const FeatureMatrix& m, const std::vector<size_t>& rows) {
    FeatureMatrix out{0, m.cols, {}};
    out.values.reserve(rows.size() * m.cols);
    for (size_t r : rows) out.appendRow(m.row(r));
    return out;
}

std::vector<float> column(const FeatureMatrix& m, const std::vector<size_t>& rows, size_t col) {
    std::vector<float> out;
    out.reserve(rows.size());
    for (size_t r : rows) out.push_back(m.at(r, col));
    return out;
}

} // namespace

void SurrogateDataset::addRow(std::span<const float> rowFeatures, std::span<const float> targets,
                              const std::string& rowSplit, int trackId, bool wholeTrack) {
    x.appendRow(rowFeatures);
    y.appendRow(targets);
    split.push_back(rowSplit);
    track.push_back(trackId);
    isTrack.push_back(wholeTrack ? 1 : 0);
}

Result<SurrogateModel> trainSurrogate(const SurrogateDataset& data, const SurrogateTrainOptions& options) {
    if (data.x.rows != data.y.rows || data.x.rows != data.split.size() || data.x.cols != data.features.size() ||
        data.y.cols != data.tags.size())
        return fail(Error::Kind::Internal, {}, "surrogate training: the dataset's parts do not fit together");
    const auto trainRows = rowsOf(data, options.trainSplit, -1);
    if (trainRows.empty())
        return fail(Error::Kind::InvalidInput, {}, "surrogate training: no rows in the '" + options.trainSplit + "' split");
    const FeatureMatrix x = pick(data.x, trainRows);
    std::vector<std::string> boosters;
    for (size_t tag = 0; tag < data.tags.size(); ++tag) {
        if (isCancelled(options.cancel)) return fail(Error::cancelled());
        const auto labels = column(data.y, trainRows, tag);
        BoosterParams params = options.booster;
        double mean = 0.0;
        for (float v : labels) mean += v;
        params.baseScore = std::clamp(mean / double(labels.size()), 1e-4, 1.0 - 1e-4);
        auto booster = XgbBooster::train(x, labels, params);
        if (!booster) return fail(booster.error());
        auto text = booster->toJson();
        if (!text) return fail(text.error());
        boosters.push_back(std::move(*text));
        if (options.onTag) options.onTag(tag + 1, data.tags.size());
    }
    auto model = SurrogateModel::fromBoosters(options.modelId, data.features, data.tags, boosters);
    if (!model) return fail(model.error());
    if (!rowsOf(data, options.testSplit, 1).empty()) {
        auto table = measureFidelity(*model, data, options.testSplit, options.topK);
        if (!table) return fail(table.error());
        model->setFidelity(std::move(*table));
    }
    return model;
}

Result<std::vector<TagFidelity>> measureFidelity(const SurrogateModel& model, const SurrogateDataset& data,
                                                 const std::string& split, size_t topK) {
    const auto trackRows = rowsOf(data, split, 1);
    const auto segmentRows = rowsOf(data, split, 0);
    const FeatureMatrix trackX = pick(data.x, trackRows), segmentX = pick(data.x, segmentRows);
    const FeatureMatrix trackY = pick(data.y, trackRows);
    const auto labels = topKLabels(trackY.values, trackY.rows, trackY.cols, topK);
    std::vector<TagFidelity> table;
    for (size_t tag = 0; tag < data.tags.size(); ++tag) {
        TagFidelity f;
        f.tag = data.tags[tag];
        f.tracks = trackRows.size();
        if (!trackRows.empty()) {
            auto predicted = model.predict(tag, trackX);
            if (!predicted) return fail(predicted.error());
            const auto target = column(data.y, trackRows, tag);
            f.r2 = rSquared(*predicted, target);
            std::vector<char> positive(trackRows.size());
            for (size_t i = 0; i < trackRows.size(); ++i) positive[i] = labels[i * trackY.cols + tag];
            f.positives = size_t(std::count(positive.begin(), positive.end(), 1));
            f.auc = rocAuc(*predicted, positive);
        }
        if (!segmentRows.empty()) {
            auto predicted = model.predict(tag, segmentX);
            if (!predicted) return fail(predicted.error());
            f.segmentR2 = rSquared(*predicted, column(data.y, segmentRows, tag));
        }
        table.push_back(std::move(f));
    }
    return table;
}

} // namespace tagscope::surrogate
