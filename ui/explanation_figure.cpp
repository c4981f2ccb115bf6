// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/explanation_figure.h"

#include <algorithm>
#include <cmath>

#include <QFileInfo>
#include <QGuiApplication>
#include <QPainter>
#include <QPainterPath>
#include <QSaveFile>

#include "core/tags/tag_vocabulary.h"
#include "ui/colour_scale.h"
#include "ui/mel_scale.h"
#include "ui/segment_curve.h"

namespace tagscope::ui {

namespace {

constexpr int kLeft = 96;         // room for the Hz labels and row titles
constexpr int kRight = 150;       // room for the colour bars
constexpr int kTop = 12;
constexpr int kTitleHeight = 46;
constexpr int kGap = 8;
constexpr int kStrip = 16;
constexpr int kCurve = 64;
constexpr int kAxis = 34;
constexpr int kLegend = 26;
const QColor kEvidence(40, 170, 70);
const QColor kText(30, 30, 30);
const QColor kFrame(120, 120, 120);

QColor curveColour(size_t index) {
    static const QColor kColours[] = {QColor(230, 85, 13), QColor(49, 130, 189), QColor(49, 163, 84),
                                      QColor(117, 107, 177), QColor(214, 39, 40), QColor(140, 86, 75)};
    return kColours[index % std::size(kColours)];
}

} // namespace

ExplanationFigure::ExplanationFigure(FigureInput input, FigureStyle style)
    : m_input(std::move(input)), m_style(std::move(style)) {
    if (m_input.analysis)
        m_names = tags::displayTagNames(m_input.analysis->tagNames, m_input.analysis->vocabularyOfTag);
    computeLayout();
}

void ExplanationFigure::computeLayout() {
    const int width = std::max(m_style.width, kLeft + kRight + 200);
    const int inner = width - kLeft - kRight;
    int y = kTop;
    m_layout.title = QRect(kLeft, y, inner + kRight - 10, kTitleHeight);
    y += kTitleHeight + kGap;
    const auto* a = m_input.analysis;
    const int mels = a ? a->mel.nMels : 0;
    const int melHeight = mels > 0 ? std::clamp(mels * 2, 128, 256) : 0;
    m_layout.spectrogram = QRect(kLeft, y, inner, melHeight);
    m_layout.frequencyAxis = QRect(0, y, kLeft - 4, melHeight);
    m_layout.colourBars = QRect(kLeft + inner + 12, y, kRight - 16, melHeight);
    y += melHeight + (melHeight ? kGap : 0);
    if (m_style.attention && a && a->attention && !a->attention->rollout.values.empty()) {
        m_layout.attention = QRect(kLeft, y, inner, kStrip);
        y += kStrip + kGap;
    }
    m_layout.probability.clear();
    m_layout.curves.clear();
    for (size_t i = 0; i < m_input.explanations.size(); ++i) {
        m_layout.probability.push_back(QRect(kLeft, y, inner, kStrip));
        y += kStrip + 3;
        m_layout.curves.push_back(QRect(kLeft, y, inner, kCurve));
        y += kCurve + kGap;
    }
    m_layout.timeAxis = QRect(kLeft, y, inner, kAxis);
    y += kAxis;
    m_layout.legend = QRect(kLeft, y, inner, kLegend);
    y += kLegend + kTop;
    m_size = QSize(width, y);
}

double ExplanationFigure::tickStep(double duration, int targetTicks) {
    static const double kSteps[] = {0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600};
    if (!(duration > 0.0) || targetTicks <= 0) return 1.0;
    for (double s : kSteps)
        if (duration / s <= targetTicks) return s;
    return kSteps[std::size(kSteps) - 1];
}

QString ExplanationFigure::formatTime(double seconds, bool tenths) {
    if (!std::isfinite(seconds) || seconds < 0.0) seconds = 0.0;
    const int minutes = int(seconds / 60.0);
    const double rest = seconds - 60.0 * minutes;
    if (tenths) return QStringLiteral("%1:%2").arg(minutes).arg(rest, 4, 'f', 1, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(minutes).arg(int(std::floor(rest + 1e-6)), 2, 10, QLatin1Char('0'));
}

double ExplanationFigure::xOf(double seconds, const QRect& rect) const {
    const double duration = m_input.analysis ? m_input.analysis->durationSeconds : 0.0;
    return duration > 0.0 ? rect.left() + seconds / duration * rect.width() : rect.left();
}

QString ExplanationFigure::tagLabel(size_t index) const {
    const auto* e = m_input.explanations[index];
    if (!e) return {};
    const std::string name = e->tag < m_names.size() ? m_names[e->tag] : e->tagName;
    return QString::fromStdString(name);
}

QImage ExplanationFigure::toImage() const {
    QImage image(m_size, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    paint(p);
    return image;
}

void ExplanationFigure::paint(QPainter& p) const {
    p.save();
    p.fillRect(QRect(QPoint(0, 0), m_size), Qt::white);
    QFont titleFont = p.font();
    titleFont.setPixelSize(17);
    titleFont.setBold(true);
    p.setFont(titleFont);
    p.setPen(kText);
    QString title = QString::fromStdString(m_input.fileName);
    if (!m_input.explanations.empty() && m_input.explanations.front()) {
        const auto* e = m_input.explanations.front();
        title += QStringLiteral(" — %1 (p = %2)").arg(tagLabel(0)).arg(double(e->trackScore), 0, 'f', 2);
    }
    p.drawText(m_layout.title.adjusted(0, 0, 0, -kTitleHeight / 2), Qt::AlignLeft | Qt::AlignVCenter, title);
    QFont body = p.font();
    body.setPixelSize(13);
    body.setBold(false);
    p.setFont(body);
    const double duration = m_input.analysis ? m_input.analysis->durationSeconds : 0.0;
    p.drawText(m_layout.title.adjusted(0, kTitleHeight / 2, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
               QStringLiteral("Model: %1   ·   %2 long   ·   Tagscope")
                   .arg(QString::fromStdString(m_input.modelName), formatTime(duration)));
    if (m_input.analysis) {
        paintSpectrogram(p);
        paintFrequencyAxis(p);
        paintColourBars(p);
        paintAttention(p);
        for (size_t i = 0; i < m_input.explanations.size(); ++i) paintTag(p, i);
        paintTimeAxis(p);
        paintLegend(p);
    }
    p.restore();
}

void ExplanationFigure::paintSpectrogram(QPainter& p) const {
    const auto& mel = m_input.analysis->mel;
    const QRect r = m_layout.spectrogram;
    if (mel.nMels <= 0 || mel.nFrames <= 0 || r.isEmpty()) return;
    float peak = -INFINITY;
    for (float v : mel.values)
        if (std::isfinite(v)) peak = std::max(peak, v);
    const double range = std::clamp(m_style.dynamicRangeDb, 10.0, 200.0);
    const ColourScale scale = ColourScale::named(m_style.colourMap);
    QImage image(mel.nFrames, mel.nMels, QImage::Format_RGB32);
    for (int m = 0; m < mel.nMels; ++m) {
        auto* row = reinterpret_cast<QRgb*>(image.scanLine(mel.nMels - 1 - m));
        for (int t = 0; t < mel.nFrames; ++t) row[t] = scale.at((mel.at(m, t) - (peak - range)) / range);
    }
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(r, image);
    if (m_style.relevance && !m_input.explanations.empty() && m_input.explanations.front()) {
        OverlayRenderer renderer;
        const auto& overlay = renderer.render({m_input.analysis, m_input.explanations.front(), 1}, m_style.relevanceParameters);
        if (overlay.isValid()) {
            const QRectF target(QPointF(xOf(overlay.t0, r), r.top()), QPointF(xOf(overlay.t1, r), r.bottom() + 1));
            p.setClipRect(r);
            p.drawImage(target, overlay.image);
        }
    }
    p.restore();
    p.setPen(kFrame);
    p.drawRect(r.adjusted(0, 0, -1, -1));
}

void ExplanationFigure::paintFrequencyAxis(QPainter& p) const {
    const auto& mel = m_input.analysis->mel;
    const QRect r = m_layout.spectrogram;
    if (mel.nMels <= 0 || r.isEmpty()) return;
    MelScale scale(m_input.mel);
    p.setPen(kText);
    for (double hz : scale.labelFrequencies()) {
        const double row = scale.hzToRow(hz);
        const double y = r.bottom() - (row + 0.5) / mel.nMels * r.height();
        p.drawLine(QPointF(r.left() - 5, y), QPointF(r.left(), y));
        p.drawText(QRectF(m_layout.frequencyAxis.left(), y - 9, m_layout.frequencyAxis.width() - 6, 18),
                   Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(MelScale::formatHz(hz)));
    }
    p.save();
    p.translate(12, r.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-r.height() / 2.0, -8, r.height(), 16), Qt::AlignCenter, QStringLiteral("Hz (mel scale)"));
    p.restore();
}

void ExplanationFigure::paintColourBars(QPainter& p) const {
    const QRect r = m_layout.colourBars;
    if (r.isEmpty()) return;
    const ColourScale scale = ColourScale::named(m_style.colourMap);
    const int barWidth = 14;
    auto bar = [&](int x, const QString& label, const QString& top, const QString& bottom, auto colourAt) {
        const QRect b(x, r.top() + 18, barWidth, r.height() - 36);
        for (int y = 0; y < b.height(); ++y) {
            p.setPen(QColor::fromRgba(colourAt(1.0 - double(y) / std::max(1, b.height() - 1))));
            p.drawLine(b.left(), b.top() + y, b.right(), b.top() + y);
        }
        p.setPen(kFrame);
        p.drawRect(b.adjusted(0, 0, -1, -1));
        p.setPen(kText);
        p.drawText(QRect(x - 20, r.top(), barWidth + 40, 16), Qt::AlignCenter, label);
        p.drawText(QRect(b.right() + 3, b.top() - 7, 50, 14), Qt::AlignLeft | Qt::AlignVCenter, top);
        p.drawText(QRect(b.right() + 3, b.bottom() - 7, 50, 14), Qt::AlignLeft | Qt::AlignVCenter, bottom);
    };
    bar(r.left() + 6, QStringLiteral("dB"), QStringLiteral("peak"), QStringLiteral("−%1").arg(m_style.dynamicRangeDb, 0, 'f', 0),
        [&](double t) { return scale.at(t); });
    if (m_style.relevance && !m_input.explanations.empty() && m_input.explanations.front() &&
        m_input.explanations.front()->relevance) {
        const QColor c = m_style.relevanceParameters.colour;
        bar(r.left() + 70, QStringLiteral("relevance"), QStringLiteral("high"), QStringLiteral("top %1%").arg(
                std::lround(m_style.relevanceParameters.topShare * 100)),
            [&](double t) {
                const double a = 0.35 + 0.65 * t;
                return qRgb(int(255 * (1 - a) + c.red() * a * 0.85), int(255 * (1 - a) + c.green() * a * 0.85),
                            int(255 * (1 - a) + c.blue() * a * 0.85));
            });
    }
}

void ExplanationFigure::paintAttention(QPainter& p) const {
    const QRect r = m_layout.attention;
    if (r.isEmpty()) return;
    const auto& s = m_input.analysis->attention->rollout;
    const auto cells = OverlayRenderer::rasterise(s, m_input.analysis->durationSeconds, r.width());
    const auto [lo, hi] = std::minmax_element(cells.begin(), cells.end());
    const ColourScale scale = ColourScale::named(QStringLiteral("viridis"));
    for (int x = 0; x < r.width(); ++x) {
        const double t = *hi > *lo ? (cells[size_t(x)] - *lo) / (*hi - *lo) : 0.0;
        p.setPen(QColor::fromRgb(scale.at(t)));
        p.drawLine(r.left() + x, r.top(), r.left() + x, r.bottom());
    }
    p.setPen(kText);
    p.drawText(QRect(0, r.top() - 2, kLeft - 6, r.height() + 4), Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("attention"));
}

void ExplanationFigure::paintTag(QPainter& p, size_t index) const {
    const auto* e = m_input.explanations[index];
    const auto& a = *m_input.analysis;
    const QRect pr = m_layout.probability[index];
    const QRect cr = m_layout.curves[index];
    const QColor colour = curveColour(index);
    // Chunk probabilities, absolute 0..1.
    const ColourScale scale = ColourScale::named(m_style.colourMap);
    if (e && e->tag < a.taggram.tagCount) {
        for (size_t c = 0; c < a.taggram.chunkCount(); ++c) {
            const double x0 = xOf(a.taggram.chunkStartSeconds[c], pr);
            const double x1 = xOf(a.taggram.chunkEndSeconds[c], pr);
            p.fillRect(QRectF(x0, pr.top(), std::max(1.0, x1 - x0), pr.height()), QColor::fromRgb(scale.at(a.taggram.at(c, e->tag))));
        }
    }
    p.setPen(kText);
    p.drawText(QRect(0, pr.top() - 2, kLeft - 6, pr.height() + 4), Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("probability"));
    p.setPen(kFrame);
    p.drawRect(pr.adjusted(0, 0, -1, -1));
    // Evidence curve, segment level and smoothed, scaled to its own maximum.
    p.fillRect(cr, QColor(248, 248, 248));
    std::string method;
    const analysis::TimeSeries* series = e ? evidenceSeries(*e, &method) : nullptr;
    if (series) {
        const auto curve = segmentCurve(*series, a.durationSeconds, m_style.segmentSeconds, 1);
        float top = 0.0f;
        for (float v : curve.values) top = std::max(top, std::abs(v));
        QPainterPath path;
        path.moveTo(cr.left(), cr.bottom());
        for (size_t i = 0; i < curve.values.size(); ++i) {
            const double v = top > 0.0f ? std::max(0.0f, curve.values[i]) / top : 0.0;
            const double y = cr.bottom() - v * (cr.height() - 4);
            path.lineTo(xOf(0.5 * (curve.startSeconds[i] + curve.endSeconds[i]), cr), y);
        }
        path.lineTo(cr.right(), cr.bottom());
        QColor fill = colour;
        fill.setAlpha(60);
        p.save();
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setClipRect(cr);
        p.setBrush(fill);
        p.setPen(QPen(colour, 1.8));
        p.drawPath(path);
        p.restore();
    }
    for (const auto& [start, end] : e ? e->evidenceSegments : std::vector<std::pair<double, double>>{}) {
        const double x0 = xOf(start, cr);
        p.fillRect(QRectF(x0, cr.bottom() - 4, std::max(2.0, xOf(end, cr) - x0), 5), kEvidence);
    }
    p.setPen(kFrame);
    p.drawRect(cr.adjusted(0, 0, -1, -1));
    p.setPen(kText);
    QFont bold = p.font();
    bold.setBold(true);
    p.save();
    p.setFont(bold);
    p.drawText(QRect(cr.left() + 6, cr.top() + 2, cr.width() - 12, 16), Qt::AlignLeft | Qt::AlignVCenter,
               tagLabel(index) + (method.empty() ? QString() : QStringLiteral(" — ") + QString::fromStdString(method)));
    p.restore();
    p.drawText(QRect(0, cr.top(), kLeft - 6, cr.height()), Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("evidence"));
}

void ExplanationFigure::paintTimeAxis(QPainter& p) const {
    const QRect r = m_layout.timeAxis;
    const double duration = m_input.analysis->durationSeconds;
    if (!(duration > 0.0)) return;
    const double step = tickStep(duration, std::max(2, r.width() / 90));
    p.setPen(kText);
    p.drawLine(r.left(), r.top(), r.right(), r.top());
    for (double t = 0.0; t <= duration + 1e-9; t += step) {
        const double x = xOf(t, r);
        p.drawLine(QPointF(x, r.top()), QPointF(x, r.top() + 5));
        p.drawText(QRectF(x - 40, r.top() + 6, 80, 14), Qt::AlignCenter, formatTime(t, step < 1.0));
    }
    p.drawText(QRect(r.left(), r.top() + 19, r.width(), 14), Qt::AlignCenter, QStringLiteral("time (m:ss)"));
}

void ExplanationFigure::paintLegend(QPainter& p) const {
    const QRect r = m_layout.legend;
    int x = r.left();
    auto item = [&](const QColor& c, const QString& text) {
        p.fillRect(QRect(x, r.top() + 7, 22, 10), c);
        p.setPen(kText);
        const int w = p.fontMetrics().horizontalAdvance(text);
        p.drawText(QRect(x + 28, r.top(), w + 4, r.height()), Qt::AlignLeft | Qt::AlignVCenter, text);
        x += 28 + w + 24;
    };
    if (m_style.relevance && !m_input.explanations.empty() && m_input.explanations.front() &&
        m_input.explanations.front()->relevance)
        item(m_style.relevanceParameters.colour,
             QStringLiteral("relevance of %1 (strongest %2% of the spectrogram)")
                 .arg(tagLabel(0))
                 .arg(std::lround(m_style.relevanceParameters.topShare * 100)));
    item(kEvidence, QStringLiteral("evidence segments (play evidence)"));
    for (size_t i = 0; i < m_input.explanations.size(); ++i)
        item(curveColour(i), QStringLiteral("%1: evidence per %2 s, smoothed").arg(tagLabel(i)).arg(m_style.segmentSeconds));
}

Result<void> saveFigurePng(const FigureInput& input, const FigureStyle& style, const QString& path) {
    static int argc = 1;
    static char name[] = "tagscope";
    static char* argv[] = {name, nullptr};
    if (!QCoreApplication::instance()) {
        // NOTE: the CLI has no window system: render fonts with the offscreen platform.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
        static QGuiApplication app(argc, argv);
    }
    const ExplanationFigure figure(input, style);
    const QImage image = figure.toImage();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(Error::Kind::Io, path.toStdString(), "cannot open for writing: " + file.errorString().toStdString());
    if (!image.save(&file, "PNG") || !file.commit())
        return fail(Error::Kind::Io, path.toStdString(), "could not write the PNG image");
    return {};
}

} // namespace tagscope::ui
