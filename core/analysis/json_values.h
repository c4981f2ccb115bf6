// SPDX-License-Identifier: GPL-3.0-or-later
// JSON building blocks shared by the export files of core/analysis (internal to core/analysis).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "core/analysis/track_analysis.h"

namespace tagscope::analysis::json_values {

/// A float as the shortest decimal that reads back as the same float (0.1f -> 0.1, not
/// 0.100000001), so exports stay small and exact; null for NaN/inf.
nlohmann::json num(float v);
/// An array of num().
nlohmann::json floats(const std::vector<float>& values);
/// Reads floats() back (null -> NaN).
std::vector<float> readFloats(const nlohmann::json& a);
/// {"start_seconds", "end_seconds", "values"}.
nlohmann::json seriesJson(const TimeSeries& s);
/// Reads seriesJson() back; throws std::runtime_error on lists of different lengths.
TimeSeries readSeries(const nlohmann::json& j);

} // namespace tagscope::analysis::json_values
