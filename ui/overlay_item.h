// SPDX-License-Identifier: GPL-3.0-or-later
// A QCustomPlot item that paints a RenderResult image in plot coordinates.
#pragma once

#include "ui/qcp.h"

#include "ui/overlay_renderer.h"

namespace tagscope::ui {

/// Paints an overlay image between t0..t1 seconds (x) and row0..row1 (y, plot coordinates of
/// the clip axis rect). Only the visible part of the image is scaled on each paint, so deep
/// zoom does not allocate huge pixmaps. GUI thread.
class OverlayItem : public QCPAbstractItem {
public:
    OverlayItem(QCustomPlot* plot, QCPAxisRect* rect);

    /// Shows `result` between the value coordinates `y0` (bottom) and `y1` (top).
    void setImage(const RenderResult& result, double y0, double y1);
    void clear();

    double selectTest(const QPointF& pos, bool onlySelectable, QVariant* details = nullptr) const override;

protected:
    void draw(QCPPainter* painter) override;

private:
    QCPAxisRect* m_rect;
    RenderResult m_result;
    double m_y0 = 0.0;
    double m_y1 = 1.0;
};

} // namespace tagscope::ui
