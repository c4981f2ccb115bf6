// SPDX-License-Identifier: GPL-3.0-or-later
// The time-aligned views of one track: spectrogram + overlays, curve strip, taggram.
#pragma once

#include <memory>
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
/// explanations of the selected tags and the view settings. It shares ownership of what it is
/// given (no pointers into a controller), so several TrackViews can show several analyses of
/// one track side by side. GUI thread.
class TrackViews : public QWidget {
    Q_OBJECT
public:
    explicit TrackViews(QWidget* parent = nullptr);

    TimelinePlot* plot() const { return m_plot; }
    /// A new track: shows its spectrogram (made with `mel`) and, when tagged, its taggram.
    void setAnalysis(std::shared_ptr<const analysis::TrackAnalysis> analysis, const dsp::MelConfig& mel);
    /// The analysis shown (null when none).
    const std::shared_ptr<const analysis::TrackAnalysis>& analysis() const { return m_analysis; }
    /// Provisional taggram while chunks stream in.
    void setProvisionalTaggram(const analysis::Taggram& taggram, const std::vector<std::string>& names);
    /// Explanations of the selected tags (primary first; entries may be null while pending).
    void setExplanations(const std::vector<std::shared_ptr<const analysis::TagExplanation>>& explanations,
                         const std::vector<std::string>& names);
    /// Rows of the taggram for views `height` pixels high whose row labels are `rowPixels` high
    /// (fewer on a small screen, so labels stay legible).
    static int taggramRowsFor(int height, int rowPixels = 17);
    /// Applies colours, range and overlay choices.
    void applySettings(const ViewSettings& settings);
    void clear();
    /// Status-bar text for the mouse at (`row`, `seconds`, `value`).
    QString readout(int row, double seconds, double value) const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    /// Height of one taggram row label (its font's line height).
    int taggramRowPixels() const;
    void updateTaggram();
    void updateOverlays();
    void updateCurves();

    TimelinePlot* m_plot;
    SpectrogramView* m_spectrogram;
    TaggramView* m_taggram;
    ContributionStrip* m_strip;
    std::shared_ptr<const analysis::TrackAnalysis> m_analysis;
    std::vector<std::shared_ptr<const analysis::TagExplanation>> m_explanations;
    int m_taggramRows = 0;
    std::vector<std::string> m_names;
    ViewSettings m_settings;
    uint64_t m_generation = 1;
};

} // namespace tagscope::ui
