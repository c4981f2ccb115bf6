// SPDX-License-Identifier: GPL-3.0-or-later
// The transparent model of a tagger: one shallow XGBoost booster per tag over perceptual
// features (tempo, loudness, brightness, key strength, ...), the feature list it was trained on
// and its fidelity table, in one JSON file beside the model card
// (models/<id>.surrogate.json). Explains a tag for a track or a segment with tree SHAP.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/surrogate/feature_matrix.h"
#include "core/surrogate/fidelity.h"

namespace tagscope::surrogate {

class XgbBooster;

/// A feature column the surrogate was trained on.
struct SurrogateFeature {
    std::string key;   ///< stable key, e.g. "tempo_bpm"
    std::string name;  ///< for people, e.g. "tempo"
    std::string unit;  ///< e.g. "BPM" (empty when unitless)
};

/// One tag explained in musical terms for one track or segment.
struct MusicalExplanation {
    size_t tag = 0;
    float prediction = 0.0f;              ///< the surrogate's output (a probability)
    float bias = 0.0f;                    ///< expected output over the training music
    std::vector<float> featureValues;     ///< per feature, the values explained
    std::vector<float> contributions;     ///< per feature, SHAP value (output units)
    /// Feature indices by descending |contribution| (top `n`, 0 = all).
    std::vector<size_t> ranked(size_t n = 0) const;
};

/// The per-tag surrogate boosters of one model. Copyable (boosters are shared, read-only).
/// Use from one thread at a time.
class SurrogateModel {
public:
    SurrogateModel();
    ~SurrogateModel();
    SurrogateModel(const SurrogateModel&);
    SurrogateModel& operator=(const SurrogateModel&);
    SurrogateModel(SurrogateModel&&) noexcept;
    SurrogateModel& operator=(SurrogateModel&&) noexcept;

    /// Reads a surrogate file; a missing, damaged or inconsistent file is an Error naming it.
    static Result<SurrogateModel> load(const std::filesystem::path& file);
    /// Writes the surrogate file (deterministic bytes for equal models).
    Result<void> save(const std::filesystem::path& file) const;
    /// The surrogate file that belongs to a model card: "x/id.json" -> "x/id.surrogate.json".
    static std::filesystem::path pathForCard(const std::filesystem::path& cardFile);

    /// Builds a model from trained boosters (each as XGBoost JSON model text, parallel to `tags`).
    static Result<SurrogateModel> fromBoosters(std::string modelId, std::vector<SurrogateFeature> features,
                                               std::vector<std::string> tags,
                                               const std::vector<std::string>& boosterJson);

    const std::string& modelId() const { return m_modelId; }
    const std::vector<SurrogateFeature>& features() const { return m_features; }
    /// Tag names in the explained model's output order.
    const std::vector<std::string>& tags() const { return m_tags; }
    std::optional<size_t> tagIndex(const std::string& name) const;
    /// Per-tag fidelity on held-out music (empty before it was measured), parallel to tags().
    const std::vector<TagFidelity>& fidelity() const { return m_fidelity; }
    void setFidelity(std::vector<TagFidelity> table) { m_fidelity = std::move(table); }
    /// The fidelity of one tag, when measured.
    std::optional<TagFidelity> fidelityOf(size_t tag) const;
    /// Free-form description of how the surrogate was trained (written to the file).
    const nlohmann::json& training() const { return m_training; }
    void setTraining(nlohmann::json training) { m_training = std::move(training); }

    /// Checks that the surrogate explains a model with these tags (same names, same order).
    Result<void> checkTags(std::span<const std::string> modelTags) const;
    /// Checks that the surrogate was trained for the model `modelId` (a card's id) and its tags:
    /// a surrogate left beside a card whose model was replaced (same tags, other weights) would
    /// explain the old model.
    Result<void> checkModel(const std::string& modelId, std::span<const std::string> modelTags) const;
    /// The surrogate beside a model card (pathForCard), checked against the card's model id and
    /// tags; errors name the surrogate file.
    static Result<SurrogateModel> loadForCard(const std::filesystem::path& cardFile, const std::string& modelId,
                                              std::span<const std::string> modelTags);
    /// Surrogate outputs of `tag` for each row of `x` (x.cols == features().size()).
    Result<std::vector<float>> predict(size_t tag, const FeatureMatrix& x) const;
    /// Tree SHAP of `tag` for each row: rows x (features + 1), last column the bias.
    Result<FeatureMatrix> contributions(size_t tag, const FeatureMatrix& x) const;
    /// Explains `tag` for each row of `x`.
    Result<std::vector<MusicalExplanation>> explain(size_t tag, const FeatureMatrix& x) const;

private:
    Result<void> checkCall(size_t tag, const FeatureMatrix& x) const;

    std::string m_modelId;
    std::vector<SurrogateFeature> m_features;
    std::vector<std::string> m_tags;
    std::vector<std::shared_ptr<const XgbBooster>> m_boosters;  ///< parallel to m_tags
    std::vector<nlohmann::json> m_packed;                        ///< packed form, parallel to m_tags
    std::vector<TagFidelity> m_fidelity;
    nlohmann::json m_training = nlohmann::json::object();
};

} // namespace tagscope::surrogate
