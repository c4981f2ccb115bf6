// SPDX-License-Identifier: GPL-3.0-or-later
// The time-aligned views of one track: spectrogram + overlays, curve strip, taggram.
#pragma once

#include <vector>

#include <QWidget>

#include "core/analysis/track_analysis.h"
#include "core/dsp/mel_spectrogram.h"
#include "ui/settings.h"

namespace tagscope::ui {

class ContributionStrip;
class SpectrogramView;
class TaggramView;
class TimelinePlot;

/// Composes the timeline plot and its layers and keeps them in step with the analysis, the
/// explanations of the selected tags and the view settings. Holds pointers into the
/// controller's analysis/explanations: call setAnalysis/clear whenever those change. GUI thread.
class TrackViews : public QWidget {
    Q_OBJECT
public:
    explicit TrackViews(QWidget* parent = nullptr);

    TimelinePlot* plot() const { return m_plot; }
    /// A new track: shows its spectrogram (made with `mel`) and, when tagged, its taggram.
    void setAnalysis(const analysis::TrackAnalysis* analysis, const dsp::MelConfig& mel);
    /// Provisional taggram while chunks stream in.
    void setProvisionalTaggram(const analysis::Taggram& taggram, const std::vector<std::string>& names);
    /// Explanations of the selected tags (primary first; entries may be null while pending).
    void setExplanations(const std::vector<const analysis::TagExplanation*>& explanations,
                         const std::vector<std::string>& names);
    /// Applies colours, range and overlay choices.
    void applySettings(const ViewSettings& settings);
    void clear();
    /// Status-bar text for the mouse at (`row`, `seconds`, `value`).
    QString readout(int row, double seconds, double value) const;

private:
    void updateOverlays();
    void updateCurves();

    TimelinePlot* m_plot;
    SpectrogramView* m_spectrogram;
    TaggramView* m_taggram;
    ContributionStrip* m_strip;
    const analysis::TrackAnalysis* m_analysis = nullptr;
    std::vector<const analysis::TagExplanation*> m_explanations;
    std::vector<std::string> m_names;
    ViewSettings m_settings;
    uint64_t m_generation = 1;
};

} // namespace tagscope::ui
