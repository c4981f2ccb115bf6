// SPDX-License-Identifier: GPL-3.0-or-later
// One XGBoost booster (gradient-boosted trees) behind a small value-like wrapper: train,
// predict, tree-SHAP contributions, JSON model text in and out. The only file that includes
// XGBoost's C API; every library error comes back as an Error naming the operation.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/surrogate/feature_matrix.h"

namespace tagscope::surrogate {

/// Training parameters of one booster (defaults follow Lyberatos et al. 2025: depth 3, ~70 trees).
struct BoosterParams {
    std::string objective = "reg:squarederror";  ///< or "binary:logistic" (labels in [0, 1])
    int rounds = 70;                             ///< number of trees
    int maxDepth = 3;
    double learningRate = 0.1;
    double minChildWeight = 1.0;
    double lambda = 1.0;                         ///< L2 regularisation of leaf weights
    double baseScore = 0.5;                      ///< starting prediction (output units)
    int threads = 1;
    int seed = 0;
};

/// A trained booster. Movable, not copyable; safe to use from one thread at a time.
class XgbBooster {
public:
    XgbBooster();
    ~XgbBooster();
    XgbBooster(XgbBooster&&) noexcept;
    XgbBooster& operator=(XgbBooster&&) noexcept;

    /// Trains on `x` (rows x features) with one label per row. Deterministic for equal inputs.
    static Result<XgbBooster> train(const FeatureMatrix& x, std::span<const float> labels,
                                    const BoosterParams& params);
    /// Loads a booster from XGBoost's JSON model text.
    static Result<XgbBooster> fromJson(const std::string& json);
    /// XGBoost's JSON model text of this booster.
    Result<std::string> toJson() const;

    /// Predictions in output units (probabilities for binary:logistic), one per row.
    Result<std::vector<float>> predict(const FeatureMatrix& x) const;
    /// Tree SHAP contributions: rows x (features + 1); the last column is the bias, and each
    /// row sums to the margin (the untransformed prediction).
    Result<FeatureMatrix> contributions(const FeatureMatrix& x) const;
    /// Predictions before the objective's link function (equal to predict for squared error).
    Result<std::vector<float>> margins(const FeatureMatrix& x) const;

    bool valid() const { return m_handle != nullptr; }

private:
    Result<std::pair<std::vector<float>, std::vector<size_t>>> run(const FeatureMatrix& x, int type) const;
    void* m_handle = nullptr;  ///< BoosterHandle
};

} // namespace tagscope::surrogate
