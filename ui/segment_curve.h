// SPDX-License-Identifier: GPL-3.0-or-later
// Evidence curves at the scale a listener hears: pooled into segments and smoothed (no Qt).
#pragma once

#include <string>

#include "core/analysis/track_analysis.h"

namespace tagscope::ui {

/// `series` pooled onto segments of `segmentSeconds` covering [0, duration) (each segment the
/// overlap-weighted mean of the spans it meets; segments no span meets are 0), then smoothed
/// with a [1 2 1]/4 kernel applied `passes` times (edges use the available neighbours).
/// NOTE: frame-level curves (64 ms) are noise to a reader; one value per second or so, lightly
/// smoothed, shows where the evidence is. Empty when duration or segmentSeconds is not positive.
analysis::TimeSeries segmentCurve(const analysis::TimeSeries& series, double duration, double segmentSeconds,
                                  int passes = 1);

/// The series that shows where a tag's evidence is, by the explanation's preferred method;
/// `method` (optional) receives its name ("contribution", "gradient", ...). Null when none.
const analysis::TimeSeries* evidenceSeries(const analysis::TagExplanation& explanation, std::string* method = nullptr);

} // namespace tagscope::ui
