// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/track_views.h"

#include <QVBoxLayout>

#include "core/tags/tag_vocabulary.h"

#include "ui/contribution_strip.h"
#include "ui/spectrogram_view.h"
#include "ui/taggram_view.h"
#include "ui/timeline_plot.h"

namespace tagscope::ui {

TrackViews::TrackViews(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_plot = new TimelinePlot(this);
    layout->addWidget(m_plot);
    m_spectrogram = new SpectrogramView(m_plot);
    m_taggram = new TaggramView(m_plot);
    m_strip = new ContributionStrip(m_plot);
    m_strip->showMessage(tr("Open a track (File ▸ Open, or drop a file here)"));
}

void TrackViews::setAnalysis(const analysis::TrackAnalysis* analysis, const dsp::MelConfig& mel) {
    m_analysis = analysis;
    m_explanations.clear();
    ++m_generation;
    if (!analysis) {
        clear();
        return;
    }
    m_plot->setDuration(analysis->durationSeconds);
    m_spectrogram->setSpectrogram(analysis->mel, analysis->melFrameSeconds, mel);
    if (analysis->taggram.chunkCount() > 0) {
        m_taggram->setTaggram(analysis->taggram, tags::displayTagNames(analysis->tagNames, analysis->vocabularyOfTag),
                              analysis->trackScores);
        m_strip->showMessage(tr("Select tags to see where they come from"));
    } else {
        m_taggram->clear();
        m_strip->showMessage(tr("No model: only the spectrogram is shown"));
    }
    updateOverlays();
}

void TrackViews::setProvisionalTaggram(const analysis::Taggram& taggram, const std::vector<std::string>& names) {
    m_taggram->setTaggram(taggram, names, {});
}

void TrackViews::setExplanations(const std::vector<const analysis::TagExplanation*>& explanations,
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
    m_analysis = nullptr;
    m_explanations.clear();
    ++m_generation;
    m_spectrogram->clear();
    m_taggram->clear();
    m_strip->clear();
}

void TrackViews::updateOverlays() {
    const analysis::TagExplanation* primary = m_explanations.empty() ? nullptr : m_explanations.front();
    m_spectrogram->setSources({m_analysis, primary, m_generation});
    OverlayParameters attention;
    attention.source = AttentionSource(m_settings.attentionSource);
    attention.layer = m_settings.attentionLayer;
    attention.head = m_settings.attentionHead;
    attention.opacity = m_settings.attentionOpacity;
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
    std::vector<StripCurve> curves;
    bool contribution = false;
    for (const auto* e : m_explanations)
        contribution = contribution || (e && e->contribution && !e->contribution->values.empty());
    for (size_t i = 0; i < m_explanations.size(); ++i) {
        const auto* e = m_explanations[i];
        if (!e) continue;
        const QString name = QString::fromStdString(i < m_names.size() ? m_names[i] : e->tagName);
        if (contribution && e->contribution) curves.push_back({name, *e->contribution, ContributionStrip::colourFor(int(i))});
        else if (!contribution && e->relevance)
            curves.push_back({name, e->relevance->perFrame, ContributionStrip::colourFor(int(i))});
    }
    if (curves.empty()) {
        m_strip->showMessage(m_explanations.empty() ? tr("Select tags to see where they come from")
                                                    : tr("Explaining the selected tags…"));
        return;
    }
    m_strip->setCurves(curves, contribution ? tr("contribution") : tr("relevance"));
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
