// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/track_views.h"

#include <algorithm>

#include <QFontMetrics>
#include <QResizeEvent>
#include <QVBoxLayout>

#include "core/tags/tag_vocabulary.h"

#include "ui/contribution_strip.h"
#include "ui/segment_curve.h"
#include "ui/spectrogram_view.h"
#include "ui/taggram_view.h"
#include "ui/timeline_plot.h"

namespace tagscope::ui {

namespace {

constexpr double kCurveSegmentSeconds = 1.0; // evidence curves: one value per second

} // namespace

TrackViews::TrackViews(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_plot = new TimelinePlot(this);
    m_plot->setMinimumSize(360, 260);
    layout->addWidget(m_plot);
    m_spectrogram = new SpectrogramView(m_plot);
    m_taggram = new TaggramView(m_plot);
    m_strip = new ContributionStrip(m_plot);
    m_strip->showMessage(tr("Open a track (File ▸ Open, or drop a file here)"));
}

int TrackViews::taggramRowsFor(int height, int rowPixels) {
    // NOTE: the taggram gets 2.6/8.9 of the plot once the time axis, its labels and the spacing
    // between the rows (~140 px) are taken off; a row needs the height of its label, or the labels
    // overlap (they did at 1366x768 once the feature curves took height from the views).
    return std::clamp(int((height - 140) * 2.6 / 8.9 / std::max(rowPixels, 8)), 3, 12);
}

int TrackViews::taggramRowPixels() const {
    return QFontMetrics(m_plot->rect(TimelinePlot::Taggram)->axis(QCPAxis::atLeft)->tickLabelFont()).height();
}

void TrackViews::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (taggramRowsFor(event->size().height(), taggramRowPixels()) != m_taggramRows) updateTaggram();
}

void TrackViews::updateTaggram() {
    m_taggramRows = taggramRowsFor(height(), taggramRowPixels());
    if (!m_analysis || m_analysis->taggram.chunkCount() == 0) return;
    m_taggram->setTaggram(m_analysis->taggram, tags::displayTagNames(m_analysis->tagNames, m_analysis->vocabularyOfTag),
                          m_analysis->trackScores, m_taggramRows);
}

void TrackViews::setAnalysis(std::shared_ptr<const analysis::TrackAnalysis> analysis, const dsp::MelConfig& mel) {
    m_analysis = std::move(analysis);
    m_explanations.clear();
    ++m_generation;
    if (!m_analysis) {
        clear();
        return;
    }
    m_plot->setDuration(m_analysis->durationSeconds);
    m_spectrogram->setSpectrogram(m_analysis->mel, m_analysis->melFrameSeconds, mel);
    if (m_analysis->taggram.chunkCount() > 0) {
        updateTaggram();
        m_strip->showMessage(tr("Select tags to see where they come from"));
    } else {
        m_taggram->clear();
        m_strip->showMessage(tr("No model: only the spectrogram is shown"));
    }
    updateOverlays();
}

void TrackViews::setProvisionalTaggram(const analysis::Taggram& taggram, const std::vector<std::string>& names) {
    m_taggram->setTaggram(taggram, names, {}, taggramRowsFor(height(), taggramRowPixels()));
}

void TrackViews::setExplanations(const std::vector<std::shared_ptr<const analysis::TagExplanation>>& explanations,
                                 const std::vector<std::string>& names) {
    m_explanations = explanations;
    m_names = names;
    ++m_generation;
    updateOverlays();
    updateCurves();
}

void TrackViews::applySettings(const ViewSettings& s) {
    m_settings = s;
    m_spectrogram->setColourMap(s.colourMap);
    m_spectrogram->setDynamicRange(s.dynamicRangeDb);
    updateOverlays();
    updateCurves();
}

void TrackViews::clear() {
    m_analysis.reset();
    m_explanations.clear();
    ++m_generation;
    m_spectrogram->clear();
    m_taggram->clear();
    m_strip->clear();
}

void TrackViews::updateOverlays() {
    const analysis::TagExplanation* primary = m_explanations.empty() ? nullptr : m_explanations.front().get();
    m_spectrogram->setSources({m_analysis.get(), primary, m_generation});
    OverlayParameters attention;
    attention.source = AttentionSource(m_settings.attentionSource);
    attention.layer = m_settings.attentionLayer;
    attention.head = m_settings.attentionHead;
    attention.opacity = m_settings.attentionOpacity;
    // NOTE: amber, not the relevance overlay's cyan, so the two overlays can be told apart.
    attention.colour = QColor(255, 176, 0);
    m_spectrogram->setAttention(m_settings.attention, attention, AttentionPlacement(m_settings.attentionPlacement));
    OverlayParameters relevance;
    relevance.kind = OverlayParameters::Kind::Relevance;
    relevance.colour = QColor(0, 255, 255);
    relevance.opacity = m_settings.relevanceOpacity;
    m_spectrogram->setRelevance(m_settings.relevance, relevance);
}

void TrackViews::updateCurves() {
    if (!m_analysis || m_analysis->taggram.chunkCount() == 0) return;
    if (!m_settings.curves) {
        m_strip->showMessage(QString());
        return;
    }
    // NOTE: one value per second, lightly smoothed: 64 ms frames are noise to a reader.
    std::vector<StripCurve> curves;
    for (size_t i = 0; i < m_explanations.size(); ++i) {
        const auto& e = m_explanations[i];
        std::string name;
        const analysis::TimeSeries* series = e ? evidenceSeries(*e, &name) : nullptr;
        if (!series) continue;
        // NOTE: the method goes into the legend; the strip is too short for a long axis title.
        const QString label = QString::fromStdString(i < m_names.size() ? m_names[i] : e->tagName) +
                              QStringLiteral(" — ") + QString::fromStdString(name);
        curves.push_back({label, segmentCurve(*series, m_analysis->durationSeconds, kCurveSegmentSeconds, 1),
                          ContributionStrip::colourFor(int(i))});
    }
    if (curves.empty()) {
        m_strip->showMessage(m_explanations.empty() ? tr("Select tags to see where they come from")
                                                    : tr("Explaining the selected tags…"));
        return;
    }
    m_strip->setCurves(curves, tr("evidence"));
}

QString TrackViews::readout(int row, double seconds, double value) const {
    if (row == TimelinePlot::Taggram) {
        const QString cell = m_taggram->readout(seconds, value);
        return cell.isEmpty() ? m_spectrogram->readout(seconds, -1.0).section(QLatin1Char(' '), 0, 0) : cell;
    }
    if (row == TimelinePlot::Spectrogram) return m_spectrogram->readout(seconds, value);
    return m_spectrogram->readout(seconds, -1.0).section(QLatin1Char(' '), 0, 0);
}

} // namespace tagscope::ui
