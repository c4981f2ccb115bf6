// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/explain_features.h"

#include <cmath>

#include "core/analysis/audio_analyzer.h"
#include "core/features/feature_analyzer.h"
#include "core/surrogate/feature_rows.h"
#include "core/surrogate/musical_explanation.h"

namespace tagscope::cli {

Result<nlohmann::json> musicalExplanationsJson(const cards::ModelCard& card, const analysis::TrackAnalysis& analysis,
                                               const std::vector<size_t>& tags, const CancelToken* cancel) {
    auto model = surrogate::SurrogateModel::loadForCard(card.cardPath, card.id, card.tagNames());
    if (!model) return fail(model.error());
    features::FeatureAnalyzer featureAnalyzer;
    analysis::AudioAnalyzer* analyzers[] = {&featureAnalyzer};
    if (auto ok = analysis::runAnalyzers(analysis.file, analyzers, {}, {}, cancel); !ok) return fail(ok.error());
    if (!featureAnalyzer.result())
        return fail(Error::Kind::Internal, analysis.file, "the features analysis gave no result");
    auto trackFeatures = *featureAnalyzer.result();
    surrogate::fillModelFeatures(trackFeatures, analysis);
    const auto rows = surrogate::featureRows(trackFeatures);
    nlohmann::json values = nlohmann::json::object();
    for (size_t f = 0; f < model->features().size(); ++f) {
        const float v = rows.track.at(0, f);
        values[model->features()[f].key] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    }
    nlohmann::json list = nlohmann::json::array();
    for (size_t tag : tags) {
        auto e = surrogate::explainInMusicalTerms(*model, tag, rows.track, rows.segments, rows.spans);
        if (!e) return fail(e.error());
        list.push_back(e->toJson());
    }
    const auto path = surrogate::SurrogateModel::pathForCard(card.cardPath);
    return nlohmann::json{{"surrogate", path.filename().string()}, {"features", values}, {"tags", list}};
}

} // namespace tagscope::cli
