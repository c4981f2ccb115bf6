// SPDX-License-Identifier: GPL-3.0-or-later
// "Why, in musical terms": the selected tag's top feature contributions from its surrogate
// (tree SHAP over perceptual features) as bars with values and units, and how closely that
// surrogate follows the network. Clicking a feature marks the segments where it pushes the
// tag most.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include <QWidget>

#include "core/surrogate/musical_explanation.h"

class QLabel;

namespace tagscope::ui {

class ContributionBars;

/// Side panel for one tag's musical explanation. GUI thread.
class MusicalPanel : public QWidget {
    Q_OBJECT
public:
    explicit MusicalPanel(QWidget* parent = nullptr);

    /// Shows `explanation` of the tag called `tagName` (people's name), its top `maxBars` features.
    void setExplanation(const surrogate::MusicalTagExplanation& explanation, const QString& tagName,
                        int maxBars = 8);
    /// Shows a message instead (e.g. "Explaining…" or why there is no musical explanation).
    void showMessage(const QString& message);
    void clear();

    /// Feature index of each bar, top first.
    std::vector<size_t> barFeatures() const;
    /// The text of bar `i`: "tempo 128 BPM: +0.21".
    QString barText(int i) const;
    /// The fidelity sentence shown under the title.
    QString fidelityText() const;
    /// Selects feature `feature` as a click on its bar does (emits featureSelected).
    void selectFeature(size_t feature);
    std::optional<size_t> selectedFeature() const { return m_selected; }

    /// "this explanation agrees with the network: R² 0.71, good" (or why it is unknown).
    static QString fidelitySentence(const std::optional<surrogate::TagFidelity>& fidelity);

Q_SIGNALS:
    /// The user picked `feature`; `segments` ([start, end) s) are where it pushes the tag most.
    void featureSelected(size_t feature, const std::vector<std::pair<double, double>>& segments);

private:
    QLabel* m_title;
    QLabel* m_fidelity;
    ContributionBars* m_bars;
    std::optional<surrogate::MusicalTagExplanation> m_explanation;
    std::optional<size_t> m_selected;
};

} // namespace tagscope::ui
