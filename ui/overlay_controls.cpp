// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/overlay_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>

#include "ui/colour_maps.h"

namespace tagscope::ui {

namespace {

QSlider* opacitySlider(QWidget* parent) {
    auto* s = new QSlider(Qt::Horizontal, parent);
    s->setRange(0, 100);
    s->setFixedWidth(70);
    s->setToolTip(QObject::tr("Opacity"));
    return s;
}

} // namespace

OverlayControls::OverlayControls(QWidget* parent) : QWidget(parent) {
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(4, 0, 4, 0);
    m_colourMap = new QComboBox(this);
    m_colourMap->addItems(colourMapNames());
    m_range = new QDoubleSpinBox(this);
    m_range->setRange(20.0, 160.0);
    m_range->setSingleStep(10.0);
    m_range->setSuffix(tr(" dB"));
    m_range->setDecimals(0);
    m_range->setToolTip(tr("Dynamic range shown below the loudest point"));
    m_attention = new QCheckBox(tr("Attention"), this);
    m_attentionOpacity = opacitySlider(this);
    m_source = new QComboBox(this);
    m_source->addItems({tr("rollout"), tr("head mean"), tr("one head"), tr("received")});
    m_layer = new QSpinBox(this);
    m_layer->setPrefix(tr("layer "));
    m_head = new QSpinBox(this);
    m_head->setPrefix(tr("head "));
    m_placement = new QComboBox(this);
    m_placement->addItems({tr("band"), tr("strip")});
    m_relevance = new QCheckBox(tr("Relevance"), this);
    m_relevanceOpacity = opacitySlider(this);
    m_curves = new QCheckBox(tr("Curves"), this);

    row->addWidget(new QLabel(tr("Colours"), this));
    row->addWidget(m_colourMap);
    row->addWidget(m_range);
    row->addSpacing(12);
    for (QWidget* w : std::initializer_list<QWidget*>{m_attention, m_attentionOpacity, m_source, m_layer, m_head,
                                                      m_placement})
        row->addWidget(w);
    row->addSpacing(12);
    row->addWidget(m_relevance);
    row->addWidget(m_relevanceOpacity);
    row->addSpacing(12);
    row->addWidget(m_curves);
    row->addStretch(1);
    setAttentionShape(0, 0);

    auto emitChanged = [this] {
        if (!m_updating) Q_EMIT changed();
    };
    connect(m_colourMap, &QComboBox::currentIndexChanged, this, emitChanged);
    connect(m_range, &QDoubleSpinBox::valueChanged, this, emitChanged);
    connect(m_attention, &QCheckBox::toggled, this, emitChanged);
    connect(m_attentionOpacity, &QSlider::valueChanged, this, emitChanged);
    connect(m_source, &QComboBox::currentIndexChanged, this, emitChanged);
    connect(m_layer, &QSpinBox::valueChanged, this, emitChanged);
    connect(m_head, &QSpinBox::valueChanged, this, emitChanged);
    connect(m_placement, &QComboBox::currentIndexChanged, this, emitChanged);
    connect(m_relevance, &QCheckBox::toggled, this, emitChanged);
    connect(m_relevanceOpacity, &QSlider::valueChanged, this, emitChanged);
    connect(m_curves, &QCheckBox::toggled, this, emitChanged);
}

void OverlayControls::setSettings(const ViewSettings& s) {
    m_updating = true;
    m_colourMap->setCurrentIndex(std::max(0, int(colourMapNames().indexOf(s.colourMap))));
    m_range->setValue(s.dynamicRangeDb);
    m_attention->setChecked(s.attention);
    m_attentionOpacity->setValue(int(s.attentionOpacity * 100));
    m_source->setCurrentIndex(std::clamp(s.attentionSource, 0, m_source->count() - 1));
    m_layer->setValue(s.attentionLayer < 0 ? m_layer->maximum() : s.attentionLayer);
    m_head->setValue(s.attentionHead);
    m_placement->setCurrentIndex(std::clamp(s.attentionPlacement, 0, 1));
    m_relevance->setChecked(s.relevance);
    m_relevanceOpacity->setValue(int(s.relevanceOpacity * 100));
    m_curves->setChecked(s.curves);
    m_updating = false;
}

ViewSettings OverlayControls::apply(ViewSettings s) const {
    s.colourMap = m_colourMap->currentText();
    s.dynamicRangeDb = m_range->value();
    s.attention = m_attention->isChecked();
    s.attentionOpacity = m_attentionOpacity->value() / 100.0;
    s.attentionSource = m_source->currentIndex();
    s.attentionLayer = m_layer->value();
    s.attentionHead = m_head->value();
    s.attentionPlacement = m_placement->currentIndex();
    s.relevance = m_relevance->isChecked();
    s.relevanceOpacity = m_relevanceOpacity->value() / 100.0;
    s.curves = m_curves->isChecked();
    return s;
}

void OverlayControls::setAttentionShape(int layers, int heads) {
    m_updating = true;
    const bool has = layers > 0;
    m_layer->setRange(0, std::max(layers - 1, 0));
    m_head->setRange(0, std::max(heads - 1, 0));
    for (QWidget* w : std::initializer_list<QWidget*>{m_attention, m_attentionOpacity, m_source, m_layer, m_head,
                                                      m_placement})
        w->setEnabled(has);
    m_attention->setToolTip(has ? QString() : tr("This model has no attention layers"));
    m_updating = false;
}

void OverlayControls::enableOverlays(bool attention, bool relevance) {
    m_updating = true;
    if (attention) m_attention->setChecked(true);
    if (relevance) m_relevance->setChecked(true);
    m_updating = false;
    Q_EMIT changed();
}

} // namespace tagscope::ui
