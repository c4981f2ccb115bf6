// SPDX-License-Identifier: GPL-3.0-or-later
// A compact, exact encoding of a shallow XGBoost booster for the shipped surrogate file.
// XGBoost's own JSON spends ~40 bytes per tree node; a surrogate file holds one booster per tag
// (150 tags x 70 trees), so the trees are packed instead: per tree a level-order bit mask of the
// split nodes and of their default directions, then per split node (feature, threshold) and per
// leaf (value, cover) as little-endian float32, base64 in the JSON. A split node's cover is the
// sum of its children's. Thresholds and leaf values stay exact float32, so a packed booster
// predicts exactly like the original; its SHAP values agree to float rounding of the covers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace tagscope::surrogate {

/// Packs XGBoost's JSON model text (a tree booster of depth <= 8) into
/// {"objective", "base_score", "num_feature", "max_depth", "num_trees", "trees": base64}.
Result<nlohmann::json> packBooster(const std::string& xgboostJson);
/// Rebuilds XGBoost's JSON model text from packBooster's output.
Result<std::string> unpackBooster(const nlohmann::json& packed);

/// Standard base64 (RFC 4648) with padding.
std::string base64Encode(const std::string& bytes);
/// Decodes standard base64; an error for characters outside the alphabet or a bad length.
Result<std::string> base64Decode(const std::string& text);

} // namespace tagscope::surrogate
