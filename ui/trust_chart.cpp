// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/trust_chart.h"

#include <algorithm>

#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

namespace tagscope::ui {

namespace {

const QColor kModel(230, 85, 13);

} // namespace

DeletionChart::DeletionChart(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void DeletionChart::setCurve(const TrustCurve& curve) {
    m_curve = curve;
    update();
}

void DeletionChart::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm = p.fontMetrics();
    const QRectF plot = QRectF(rect()).adjusted(fm.horizontalAdvance(QStringLiteral("0.0")) + 8, 6, -8,
                                                -(2 * fm.height() + 4));
    if (!m_curve.isValid()) {
        if (m_curve.pending.isEmpty()) return;
        // NOTE: a placeholder with the chart's frame, so the panel does not look broken or empty
        // while the curves (the slow part) are computed.
        p.setPen(QPen(palette().mid().color(), 1.0, Qt::DashLine));
        p.drawRect(plot);
        p.setPen(palette().placeholderText().color());
        p.drawText(plot.adjusted(6, 4, -6, -4), Qt::AlignCenter | Qt::TextWordWrap, m_curve.pending);
        return;
    }
    const double xMax = std::max(0.01, m_curve.fractions.back());
    auto pt = [&](double f, double v) {
        return QPointF(plot.left() + f / xMax * plot.width(), plot.bottom() - std::clamp(v, 0.0, 1.0) * plot.height());
    };
    p.setRenderHint(QPainter::Antialiasing, true);
    const size_t n = m_curve.fractions.size();
    if (m_curve.randomLow.size() == n && m_curve.randomHigh.size() == n) {
        QPainterPath band;
        band.moveTo(pt(m_curve.fractions[0], m_curve.randomHigh[0]));
        for (size_t i = 1; i < n; ++i) band.lineTo(pt(m_curve.fractions[i], m_curve.randomHigh[i]));
        for (size_t i = n; i-- > 0;) band.lineTo(pt(m_curve.fractions[i], m_curve.randomLow[i]));
        band.closeSubpath();
        p.fillPath(band, QColor(150, 150, 150, 90));
    }
    auto line = [&](const std::vector<float>& v, const QPen& pen) {
        if (v.size() != n) return;
        QPainterPath path;
        path.moveTo(pt(m_curve.fractions[0], v[0]));
        for (size_t i = 1; i < n; ++i) path.lineTo(pt(m_curve.fractions[i], v[i]));
        p.strokePath(path, pen);
    };
    line(m_curve.randomMean, QPen(QColor(110, 110, 110), 1.4, Qt::DashLine));
    line(m_curve.model, QPen(kModel, 2.2));
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(palette().text().color());
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    p.drawLine(plot.bottomLeft(), plot.topLeft());
    p.drawText(QRectF(0, plot.top() - 4, plot.left() - 4, fm.height()), Qt::AlignRight, QStringLiteral("1"));
    p.drawText(QRectF(0, plot.bottom() - fm.height() + 2, plot.left() - 4, fm.height()), Qt::AlignRight, QStringLiteral("0"));
    for (double f : {0.0, xMax / 2, xMax}) {
        const QPointF at = pt(f, 0.0);
        p.drawText(QRectF(at.x() - 30, plot.bottom() + 1, 60, fm.height()), Qt::AlignCenter,
                   QStringLiteral("%1%").arg(std::lround(f * 100)));
    }
    // Legend on the axis-title line.
    const double y = plot.bottom() + fm.height() + 2;
    double x = plot.left();
    p.fillRect(QRectF(x, y + fm.height() / 2.0 - 1, 14, 3), kModel);
    const QString explained = tr("explanation");
    p.drawText(QPointF(x + 18, y + fm.ascent()), explained);
    x += 18 + fm.horizontalAdvance(explained) + 10;
    p.fillRect(QRectF(x, y + 2, 14, fm.height() - 4), QColor(150, 150, 150, 120));
    p.drawText(QPointF(x + 18, y + fm.ascent()), tr("random (removed →)"));
}

TrustPanel::TrustPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->setSpacing(2);
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_chart = new DeletionChart(this);
    m_sentence = new QLabel(this);
    m_sentence->setTextFormat(Qt::PlainText);
    m_sentence->setWordWrap(true);
    m_sentence->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    layout->addWidget(m_title);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_sentence);
    showMessage(QString());
}

void TrustPanel::setCurve(const TrustCurve& curve) {
    m_title->setText(curve.title);
    m_title->setVisible(!curve.title.isEmpty());
    m_chart->setCurve(curve);
    m_chart->setVisible(curve.isValid() || !curve.pending.isEmpty());
    m_sentence->setText(curve.sentence);
}

void TrustPanel::showMessage(const QString& message) {
    m_title->setVisible(false);
    m_chart->setCurve({});
    m_chart->setVisible(false);
    m_sentence->setText(message);
}

QString TrustPanel::text() const { return m_sentence->text(); }

} // namespace tagscope::ui
