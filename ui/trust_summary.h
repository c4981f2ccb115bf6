// SPDX-License-Identifier: GPL-3.0-or-later
// From an explanation's faithfulness measurements to what the trust panel shows.
#pragma once

#include <string>

#include "core/analysis/track_analysis.h"
#include "ui/trust_chart.h"

namespace tagscope::ui {

/// The trust panel's content for `explanation` of the tag shown as `displayName` (never a raw
/// name like 'genre---electronic'): its deletion curve against random orderings and one
/// sentence. Invalid (with a sentence saying so) when no faithfulness test was run.
TrustCurve trustCurveFor(const analysis::TagExplanation& explanation, const std::string& displayName);

} // namespace tagscope::ui
