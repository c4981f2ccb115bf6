// SPDX-License-Identifier: GPL-3.0-or-later
// Saving views (PNG, SVG, PDF) and results (JSON, CSV, same schema as the CLI).
#pragma once

#include <vector>

#include <QString>

#include "core/analysis/track_analysis.h"
#include "core/common/error.h"
#include "core/cards/model_card.h"

class QCustomPlot;
class QWidget;

namespace tagscope::ui {

class ExplanationFigure;

/// Saves the plot as PNG, SVG or PDF chosen by the file suffix (PNG at 2x for print quality).
/// Errors name the file and the reason.
Result<void> exportPlot(QCustomPlot* plot, const QString& path);
/// Saves the explanation figure as PNG, SVG or PDF chosen by the file suffix.
Result<void> exportFigure(const ExplanationFigure& figure, const QString& path);
/// Saves a screenshot of a widget (the whole window) as PNG.
Result<void> exportWidgetPng(QWidget* widget, const QString& path);
/// Saves results as JSON (the full CLI schema, with `explanations`) or CSV (ranked tags) by suffix.
Result<void> exportResults(const analysis::TrackAnalysis& analysis, const cards::ModelCard* card,
                           const std::vector<analysis::TagExplanation>& explanations, const QString& path);

} // namespace tagscope::ui
