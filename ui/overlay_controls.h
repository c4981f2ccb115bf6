// SPDX-License-Identifier: GPL-3.0-or-later
// The controls of the spectrogram's look and its explanation overlays.
#pragma once

#include <QWidget>

#include "ui/settings.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSlider;
class QSpinBox;

namespace tagscope::ui {

/// Colour map, dB range, and per overlay a switch and an opacity slider; attention source
/// (rollout / head mean / one head / received), layer, head and placement. Emits changed()
/// on any edit. GUI thread.
class OverlayControls : public QWidget {
    Q_OBJECT
public:
    explicit OverlayControls(QWidget* parent = nullptr);

    /// Shows `settings` (without emitting changed()).
    void setSettings(const ViewSettings& settings);
    /// `settings` with this widget's fields filled in.
    ViewSettings apply(ViewSettings settings) const;
    /// Limits the layer/head choosers to the model's attention shape (0 layers: attention off).
    void setAttentionShape(int layers, int heads);
    /// Turns overlays on (used by --overlay).
    void enableOverlays(bool attention, bool relevance);

Q_SIGNALS:
    void changed();

private:
    QComboBox* m_colourMap;
    QDoubleSpinBox* m_range;
    QCheckBox* m_attention;
    QSlider* m_attentionOpacity;
    QComboBox* m_source;
    QSpinBox* m_layer;
    QSpinBox* m_head;
    QComboBox* m_placement;
    QCheckBox* m_relevance;
    QSlider* m_relevanceOpacity;
    QCheckBox* m_curves;
    bool m_updating = false;
};

} // namespace tagscope::ui
