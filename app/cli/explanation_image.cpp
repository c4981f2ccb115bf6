// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/explanation_image.h"

#ifdef TAGSCOPE_HAVE_FIGURE
#include "ui/explanation_figure.h"
#endif

namespace tagscope::cli {

Result<void> writeExplanationFigure(const std::filesystem::path& path, const analysis::TrackAnalysis& analysis,
                                    const std::vector<analysis::TagExplanation>& explanations,
                                    const cards::ModelCard& card) {
#ifdef TAGSCOPE_HAVE_FIGURE
    ui::FigureInput input;
    input.analysis = &analysis;
    for (const auto& e : explanations) input.explanations.push_back(&e);
    input.fileName = analysis.file.filename().string();
    input.modelName = card.name.empty() ? card.id : card.name;
    input.mel = card.mel;
    return ui::saveFigurePng(input, ui::FigureStyle{}, QString::fromStdString(path.string()));
#else
    (void)analysis;
    (void)explanations;
    (void)card;
    return fail(Error::Kind::InvalidInput, path,
                "this build has no figure renderer (it was configured with TAGSCOPE_BUILD_GUI=OFF)");
#endif
}

} // namespace tagscope::cli
