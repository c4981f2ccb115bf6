// SPDX-License-Identifier: GPL-3.0-or-later
// The spectrogram layer of the timeline: dB mel colour map plus explanation overlays.
#pragma once

#include <QObject>
#include <QString>

#include "core/analysis/track_analysis.h"
#include "core/dsp/mel_spectrogram.h"
#include "ui/mel_scale.h"
#include "ui/overlay_renderer.h"

class QCPColorMap;

namespace tagscope::ui {

class OverlayItem;
class TimelinePlot;

/// Attention overlay placement: a band over the whole height or a strip along the top.
enum class AttentionPlacement { Band, Strip };

/// Paints the dB mel of a track into the timeline's spectrogram rect (frequency axis in Hz on
/// the mel scale), with switchable attention and gradient-relevance overlays drawn by
/// OverlayRenderer. GUI thread.
class SpectrogramView : public QObject {
    Q_OBJECT
public:
    explicit SpectrogramView(TimelinePlot* plot);

    /// Shows `mel` (dB, nMels x nFrames, frame t centred at t * frameSeconds) made with `config`.
    void setSpectrogram(const dsp::Spectrogram& mel, double frameSeconds, const dsp::MelConfig& config);
    void clear();
    /// Colour map by name (see colourMapNames()).
    void setColourMap(const QString& name);
    /// Shows `dynamicRangeDb` decibels below the loudest cell.
    void setDynamicRange(double dynamicRangeDb);
    /// Data behind the overlays (pointers must stay valid until the next call); `generation`
    /// must change whenever the data does.
    void setSources(const OverlaySources& sources);
    /// Attention overlay: shown when `enabled` and the analysis has attention.
    void setAttention(bool enabled, const OverlayParameters& parameters, AttentionPlacement placement);
    /// Gradient-relevance overlay of the explained tag.
    void setRelevance(bool enabled, const OverlayParameters& parameters);
    /// "1:23.4 · 1.2 kHz · −35.2 dB" for the point at `seconds`, fractional mel row `row`.
    QString readout(double seconds, double row) const;
    /// Re-renders overlays and queues a replot.
    void refresh();

private:
    TimelinePlot* m_plot;
    QCPColorMap* m_map = nullptr;
    OverlayItem* m_attentionItem = nullptr;
    OverlayItem* m_relevanceItem = nullptr;
    OverlayRenderer m_attentionRenderer;
    OverlayRenderer m_relevanceRenderer;
    OverlaySources m_sources;
    OverlayParameters m_attentionParameters;
    OverlayParameters m_relevanceParameters{OverlayParameters::Kind::Relevance};
    AttentionPlacement m_placement = AttentionPlacement::Band;
    bool m_attentionOn = false;
    bool m_relevanceOn = false;
    MelScale m_scale{dsp::MelConfig{}};
    dsp::Spectrogram m_mel;
    double m_frameSeconds = 0.0;
    float m_peakDb = 0.0f;
    double m_dynamicRange = 80.0;
};

} // namespace tagscope::ui
