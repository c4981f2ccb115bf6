// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/common/error.h"
#include "core/cards/model_card.h"

namespace tagscope::cli {

/// Writes the labelled explanation figure of `explanations` (the first is drawn over the
/// spectrogram) as PNG at `path`, with the renderer the window's export uses
/// (ui::ExplanationFigure): title with file, model and tag; mel spectrogram with a Hz axis and
/// relevance; attention strip; per tag probabilities and a smoothed evidence curve; m:ss time
/// axis; colour bars; legend. Errors name the file; a build without Qt says so.
Result<void> writeExplanationFigure(const std::filesystem::path& path, const analysis::TrackAnalysis& analysis,
                                    const std::vector<analysis::TagExplanation>& explanations,
                                    const cards::ModelCard& card);

} // namespace tagscope::cli
