// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/musical_panel.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>

namespace tagscope::ui {

/// The bars themselves: one row per feature, a centre line, bars right (pushes the tag up) or
/// left (pushes it down), scaled to the largest contribution shown.
class ContributionBars : public QWidget {
public:
    struct Bar {
        size_t feature = 0;
        QString label;   ///< "tempo 128 BPM"
        float value = 0; ///< contribution
    };
    explicit ContributionBars(QWidget* parent) : QWidget(parent) {
        setMouseTracking(true);
        setCursor(Qt::PointingHandCursor);
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    }
    void setBars(std::vector<Bar> bars) {
        m_bars = std::move(bars);
        setFixedHeight(int(m_bars.size()) * kRow + 4);
        update();
    }
    void setSelected(std::optional<size_t> feature) {
        m_selected = feature;
        update();
    }
    const std::vector<Bar>& bars() const { return m_bars; }
    std::function<void(size_t)> onClick;

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        const int w = width();
        const int labelWidth = std::min(int(w * 0.48), 190);
        const int valueWidth = 44;
        const int barLeft = labelWidth + 4, barRight = w - valueWidth - 4;
        const int centre = (barLeft + barRight) / 2;
        float maxAbs = 1e-6f;
        for (const auto& b : m_bars) maxAbs = std::max(maxAbs, std::fabs(b.value));
        const QFontMetrics fm(font());
        for (size_t i = 0; i < m_bars.size(); ++i) {
            const auto& b = m_bars[i];
            const int y = int(i) * kRow + 2;
            if (m_selected && *m_selected == b.feature)
                p.fillRect(QRect(0, y, w, kRow), palette().color(QPalette::Highlight).lighter(170));
            p.setPen(palette().color(QPalette::WindowText));
            p.drawText(QRect(2, y, labelWidth - 2, kRow), Qt::AlignVCenter | Qt::AlignLeft,
                       fm.elidedText(b.label, Qt::ElideRight, labelWidth - 2));
            const int length = int(std::round(double(std::fabs(b.value)) / maxAbs * (barRight - centre)));
            const QColor colour = b.value >= 0 ? QColor(214, 110, 40) : QColor(60, 120, 200);
            const QRect bar = b.value >= 0 ? QRect(centre, y + 4, length, kRow - 8)
                                           : QRect(centre - length, y + 4, length, kRow - 8);
            p.fillRect(bar, colour);
            p.setPen(palette().color(QPalette::WindowText));
            p.drawText(QRect(barRight + 4, y, valueWidth, kRow), Qt::AlignVCenter | Qt::AlignRight,
                       QString::asprintf("%+.2f", double(b.value)));
        }
        if (!m_bars.empty()) {
            p.setPen(QPen(palette().color(QPalette::Mid), 1));
            p.drawLine(centre, 0, centre, height());
        }
    }
    void mousePressEvent(QMouseEvent* event) override {
        const int row = int(event->position().y() - 2) / kRow;
        if (row >= 0 && size_t(row) < m_bars.size() && onClick) onClick(m_bars[size_t(row)].feature);
    }

private:
    static constexpr int kRow = 20;
    std::vector<Bar> m_bars;
    std::optional<size_t> m_selected;
};

MusicalPanel::MusicalPanel(QWidget* parent)
    : QWidget(parent), m_title(new QLabel(this)), m_fidelity(new QLabel(this)), m_bars(new ContributionBars(this)) {
    setObjectName(QStringLiteral("MusicalPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(2);
    m_title->setTextFormat(Qt::RichText);
    m_title->setWordWrap(true);
    m_fidelity->setWordWrap(true);
    m_fidelity->setTextFormat(Qt::RichText);
    m_fidelity->setToolTip(tr("Measured on music from game packages the surrogate was not trained on. R²: how much of "
                              "the network's probability for this tag the surrogate reproduces (1 = all, 0 = no better "
                              "than a constant). AUC: how well it picks the tracks where the network ranks this tag "
                              "among its top 5 (1 = perfectly, 0.5 = chance)."));
    layout->addWidget(m_title);
    layout->addWidget(m_fidelity);
    layout->addWidget(m_bars);
    layout->addStretch(1);  // the panel may be taller than its bars (it sits in a splitter)
    m_bars->onClick = [this](size_t feature) { selectFeature(feature); };
    m_bars->setToolTip(tr("How each musical feature of the track moves the tag's probability, by the tag's "
                          "surrogate model (XGBoost, tree SHAP). Click a feature to mark where it pushes the tag most."));
    clear();
}

QString MusicalPanel::fidelitySentence(const std::optional<surrogate::TagFidelity>& fidelity) {
    if (!fidelity || !fidelity->r2)
        return tr("How closely this explanation follows the network is unknown for this tag.");
    // NOTE: measured on music from packages the surrogate never saw; R² of the probabilities,
    // AUC of ranking the tracks where the network has this tag in its top 5.
    const std::string verdict = fidelity->verdict();
    QString text = tr("Agreement with the network on unseen music: R² %1 (%2)")
                       .arg(*fidelity->r2, 0, 'f', 2)
                       .arg(QString::fromStdString(verdict));
    if (fidelity->auc) text += tr(", AUC %1").arg(*fidelity->auc, 0, 'f', 2);
    text += QStringLiteral(".");
    if (verdict == "poor") text += tr(" Read these reasons with caution.");
    return text;
}

void MusicalPanel::setExplanation(const surrogate::MusicalTagExplanation& explanation, const QString& tagName,
                                  int maxBars) {
    m_explanation = explanation;
    m_selected.reset();
    m_title->setText(tr("<b>Why “%1”, in musical terms</b>").arg(tagName.toHtmlEscaped()));
    const QString sentence = fidelitySentence(explanation.fidelity).toHtmlEscaped();
    const bool poor = explanation.fidelity && explanation.fidelity->verdict() == "poor";
    m_fidelity->setText(poor ? QStringLiteral("<span style='color:#b04000'>%1</span>").arg(sentence) : sentence);
    std::vector<ContributionBars::Bar> bars;
    for (size_t f : explanation.track.ranked(size_t(std::max(0, maxBars)))) {
        if (f >= explanation.features.size()) continue;
        const auto& feature = explanation.features[f];
        bars.push_back({f,
                        QString::fromStdString(feature.name + " " +
                                               surrogate::formatFeatureValue(feature, explanation.track.featureValues[f])),
                        explanation.track.contributions[f]});
    }
    m_bars->setBars(std::move(bars));
    m_bars->setSelected(std::nullopt);
    m_bars->setVisible(true);
}

void MusicalPanel::showMessage(const QString& message) {
    m_explanation.reset();
    m_selected.reset();
    m_title->setText(tr("<b>Why, in musical terms</b>"));
    m_fidelity->setText(QStringLiteral("<i>%1</i>").arg(message.toHtmlEscaped()));
    m_bars->setBars({});
    m_bars->setVisible(false);
}

void MusicalPanel::clear() { showMessage(tr("Select a tag.")); }

std::vector<size_t> MusicalPanel::barFeatures() const {
    std::vector<size_t> out;
    for (const auto& b : m_bars->bars()) out.push_back(b.feature);
    return out;
}

QString MusicalPanel::barText(int i) const {
    if (!m_explanation || i < 0 || size_t(i) >= m_bars->bars().size()) return {};
    return QString::fromStdString(m_explanation->contributionLine(m_bars->bars()[size_t(i)].feature));
}

QString MusicalPanel::fidelityText() const { return m_fidelity->text(); }

void MusicalPanel::selectFeature(size_t feature) {
    if (!m_explanation || feature >= m_explanation->features.size()) return;
    m_selected = feature;
    m_bars->setSelected(feature);
    Q_EMIT featureSelected(feature, m_explanation->segmentsPushedBy(feature, 3));
}

} // namespace tagscope::ui
