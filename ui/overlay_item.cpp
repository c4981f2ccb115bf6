// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/overlay_item.h"

#include <algorithm>

namespace tagscope::ui {

OverlayItem::OverlayItem(QCustomPlot* plot, QCPAxisRect* rect) : QCPAbstractItem(plot), m_rect(rect) {
    setClipAxisRect(rect);
    setClipToAxisRect(true);
    setSelectable(false);
}

void OverlayItem::setImage(const RenderResult& result, double y0, double y1) {
    m_result = result;
    m_y0 = y0;
    m_y1 = y1;
}

void OverlayItem::clear() { m_result = {}; }

double OverlayItem::selectTest(const QPointF&, bool, QVariant*) const { return -1.0; }

void OverlayItem::draw(QCPPainter* painter) {
    if (!m_result.isValid() || m_result.t1 <= m_result.t0) return;
    QCPAxis* x = m_rect->axis(QCPAxis::atBottom);
    QCPAxis* y = m_rect->axis(QCPAxis::atLeft);
    const QCPRange visible = x->range();
    const double a = std::max(visible.lower, m_result.t0);
    const double b = std::min(visible.upper, m_result.t1);
    if (b <= a) return;
    const int w = m_result.image.width();
    const double perColumn = (m_result.t1 - m_result.t0) / w;
    // Source columns covering [a, b], widened to whole pixels; the target follows the same columns.
    const int c0 = std::clamp(int((a - m_result.t0) / perColumn), 0, w - 1);
    const int c1 = std::clamp(int((b - m_result.t0) / perColumn) + 1, c0 + 1, w);
    const double ta = m_result.t0 + c0 * perColumn;
    const double tb = m_result.t0 + c1 * perColumn;
    const QRectF target(QPointF(x->coordToPixel(ta), y->coordToPixel(m_y1)),
                        QPointF(x->coordToPixel(tb), y->coordToPixel(m_y0)));
    const QRectF source(c0, 0, c1 - c0, m_result.image.height());
    painter->save();
    painter->setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter->drawImage(target.normalized(), m_result.image, source);
    painter->restore();
}

} // namespace tagscope::ui
