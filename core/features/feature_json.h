// SPDX-License-Identifier: GPL-3.0-or-later
// JSON form of a track's features (the `tagscope-cli features --json` schema).
#pragma once

#include <nlohmann/json.hpp>

#include "core/features/feature_set.h"

namespace tagscope::features {

/// {"key": "A minor", "<feature key>": value|null ..., "duration_seconds", "analysis_sample_rate",
///  "beats": [s...], "chords": [{"start","end","chord","function"}...],
///  "segments": {"start_seconds": [...], "end_seconds": [...], "key": [...], "<feature key>": [...]}}
/// NaN values are written as null.
nlohmann::json featuresToJson(const TrackFeatures& f);

/// The catalog as JSON: [{"key","name","unit","min","max","method"}...].
nlohmann::json catalogToJson();

} // namespace tagscope::features
