// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/spectrogram_view.h"

#include <algorithm>
#include <cmath>

#include "ui/colour_maps.h"
#include "ui/overlay_item.h"
#include "ui/timeline_plot.h"

namespace tagscope::ui {

namespace {

QString formatTime(double seconds) {
    const int minutes = int(seconds / 60.0);
    return QStringLiteral("%1:%2").arg(minutes).arg(seconds - 60.0 * minutes, 4, 'f', 1, QLatin1Char('0'));
}

} // namespace

SpectrogramView::SpectrogramView(TimelinePlot* plot) : QObject(plot), m_plot(plot) {
    QCPAxisRect* rect = plot->rect(TimelinePlot::Spectrogram);
    m_map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    m_map->setInterpolate(false);
    m_map->setTightBoundary(true);
    m_map->setGradient(colourMap(QStringLiteral("magma")));
    plot->addLayer(QStringLiteral("explanations"), plot->layer(QStringLiteral("main")), QCustomPlot::limAbove);
    m_relevanceItem = new OverlayItem(plot, rect);
    m_relevanceItem->setLayer(QStringLiteral("explanations"));
    m_attentionItem = new OverlayItem(plot, rect);
    m_attentionItem->setLayer(QStringLiteral("explanations"));
    rect->axis(QCPAxis::atLeft)->setLabel(QStringLiteral("Frequency (Hz, mel scale)"));
}

void SpectrogramView::setSpectrogram(const dsp::Spectrogram& mel, double frameSeconds, const dsp::MelConfig& config) {
    m_mel = mel;
    m_frameSeconds = frameSeconds;
    m_scale = MelScale(config);
    auto* data = m_map->data();
    data->setSize(std::max(mel.nFrames, 1), std::max(mel.nMels, 1));
    data->setRange(QCPRange(0.0, std::max(mel.nFrames - 1, 1) * frameSeconds), QCPRange(0.0, std::max(mel.nMels - 1, 1)));
    m_peakDb = -1e30f;
    for (int m = 0; m < mel.nMels; ++m)
        for (int t = 0; t < mel.nFrames; ++t) {
            const float v = mel.at(m, t);
            data->setCell(t, m, v);
            if (std::isfinite(v)) m_peakDb = std::max(m_peakDb, v);
        }
    if (m_peakDb < -1e29f) m_peakDb = 0.0f;
    m_map->setDataRange(QCPRange(m_peakDb - m_dynamicRange, m_peakDb));

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (double hz : m_scale.labelFrequencies())
        ticker->addTick(m_scale.hzToRow(hz), QString::fromStdString(MelScale::formatHz(hz)));
    QCPAxis* y = m_plot->rect(TimelinePlot::Spectrogram)->axis(QCPAxis::atLeft);
    y->setTicker(ticker);
    y->setRange(-0.5, mel.nMels - 0.5);
    refresh();
}

void SpectrogramView::clear() {
    m_mel = {};
    m_map->data()->clear();
    m_attentionItem->clear();
    m_relevanceItem->clear();
    m_sources = {};
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SpectrogramView::setColourMap(const QString& name) {
    m_map->setGradient(colourMap(name));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SpectrogramView::setDynamicRange(double dynamicRangeDb) {
    m_dynamicRange = std::clamp(dynamicRangeDb, 10.0, 200.0);
    m_map->setDataRange(QCPRange(m_peakDb - m_dynamicRange, m_peakDb));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SpectrogramView::setSources(const OverlaySources& sources) {
    m_sources = sources;
    refresh();
}

void SpectrogramView::setAttention(bool enabled, const OverlayParameters& parameters, AttentionPlacement placement) {
    m_attentionOn = enabled;
    m_attentionParameters = parameters;
    m_attentionParameters.kind = OverlayParameters::Kind::Attention;
    m_placement = placement;
    refresh();
}

void SpectrogramView::setRelevance(bool enabled, const OverlayParameters& parameters) {
    m_relevanceOn = enabled;
    m_relevanceParameters = parameters;
    m_relevanceParameters.kind = OverlayParameters::Kind::Relevance;
    refresh();
}

void SpectrogramView::refresh() {
    const double top = m_mel.nMels - 0.5;
    const double bottom = -0.5;
    if (m_attentionOn) {
        const double y0 = m_placement == AttentionPlacement::Band ? bottom : top - 0.08 * (top - bottom);
        m_attentionItem->setImage(m_attentionRenderer.render(m_sources, m_attentionParameters), y0, top);
    } else {
        m_attentionItem->clear();
    }
    if (m_relevanceOn) m_relevanceItem->setImage(m_relevanceRenderer.render(m_sources, m_relevanceParameters), bottom, top);
    else m_relevanceItem->clear();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString SpectrogramView::readout(double seconds, double row) const {
    QString text = formatTime(seconds);
    if (m_mel.nFrames <= 0) return text;
    const double hz = m_scale.rowToHz(std::clamp(row, -0.5, m_mel.nMels - 0.5));
    text += QStringLiteral("  ·  %1 Hz").arg(hz, 0, 'f', 0);
    const int frame = std::clamp(int(std::lround(seconds / m_frameSeconds)), 0, m_mel.nFrames - 1);
    const int mel = std::clamp(int(std::lround(row)), 0, m_mel.nMels - 1);
    text += QStringLiteral("  ·  %1 dB").arg(double(m_mel.at(mel, frame)), 0, 'f', 1);
    return text;
}

} // namespace tagscope::ui
