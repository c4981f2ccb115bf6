// SPDX-License-Identifier: GPL-3.0-or-later
// The trust panel: a small deletion-curve chart (model vs random orderings) and one sentence.
#pragma once

#include <vector>

#include <QString>
#include <QWidget>

class QLabel;

namespace tagscope::ui {

/// What the chart draws: the tag's probability as the most relevant share of the track is
/// removed (the explanation's ordering) against the band of random orderings.
struct TrustCurve {
    std::vector<double> fractions;   ///< share of the track removed (0..1), ascending
    std::vector<float> model;        ///< probability after removing by the explanation's ranking
    std::vector<float> randomMean;   ///< mean over random orderings
    std::vector<float> randomLow;    ///< lower edge of the random band (e.g. 10th percentile)
    std::vector<float> randomHigh;   ///< upper edge of the random band (e.g. 90th percentile)
    QString title;                   ///< e.g. "Trust — electronic (Jamendo genre), by occlusion"
    QString sentence;                ///< one sentence for users (the verdict in words)
    /// While the curves are being computed: what the empty chart says instead (e.g. "Testing…").
    QString pending;
    bool isValid() const { return fractions.size() >= 2 && model.size() == fractions.size(); }
};

/// Paints a TrustCurve: x = share removed, y = probability; the random band shaded grey with
/// its mean dashed, the model's curve in colour. GUI thread.
class DeletionChart : public QWidget {
    Q_OBJECT
public:
    explicit DeletionChart(QWidget* parent = nullptr);
    void setCurve(const TrustCurve& curve);
    QSize sizeHint() const override { return {260, 130}; }
    QSize minimumSizeHint() const override { return {180, 90}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    TrustCurve m_curve;
};

/// Title, chart and sentence, or a message ("Explaining…") when there is no curve yet. GUI thread.
class TrustPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrustPanel(QWidget* parent = nullptr);
    /// Shows `curve` (its title and sentence too).
    void setCurve(const TrustCurve& curve);
    /// Shows `message` and hides the chart.
    void showMessage(const QString& message);
    void clear() { showMessage(QString()); }
    DeletionChart* chart() const { return m_chart; }
    /// The sentence (or message) shown.
    QString text() const;

private:
    QLabel* m_title;
    DeletionChart* m_chart;
    QLabel* m_sentence;
};

} // namespace tagscope::ui
