// SPDX-License-Identifier: GPL-3.0-or-later
// The taggram layer of the timeline: tags x time probabilities.
#pragma once

#include <string>
#include <vector>

#include <QObject>

#include "core/analysis/track_analysis.h"

class QCPColorMap;

namespace tagscope::ui {

class TimelinePlot;

/// Paints the chunk x tag probabilities of the top tags (best at the top) into the
/// timeline's taggram rect, labelled with tag names. GUI thread.
class TaggramView : public QObject {
    Q_OBJECT
public:
    explicit TaggramView(TimelinePlot* plot);

    /// Shows the `rows` best tags by `scores` (one per tag; empty = mean over chunks).
    void setTaggram(const analysis::Taggram& taggram, const std::vector<std::string>& tagNames,
                    const std::vector<float>& scores, int rows = 12);
    void clear();
    /// Tag shown at fractional row `row`, or -1.
    long tagAt(double row) const;
    /// "piano 0.83" for the cell under (seconds, row), or empty.
    QString readout(double seconds, double row) const;

private:
    TimelinePlot* m_plot;
    QCPColorMap* m_map = nullptr;
    analysis::Taggram m_taggram;
    std::vector<std::string> m_names;
    std::vector<size_t> m_rowTags; ///< row 0 = bottom
};

} // namespace tagscope::ui
