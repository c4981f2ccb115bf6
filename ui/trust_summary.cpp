// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/trust_summary.h"

#include <QObject>

namespace tagscope::ui {

TrustCurve trustCurveFor(const analysis::TagExplanation& e, const std::string& displayName) {
    TrustCurve curve;
    const QString name = QString::fromStdString(displayName.empty() ? e.tagName : displayName);
    curve.title = QObject::tr("Trust — %1").arg(name);
    if (e.faithfulness.empty()) {
        curve.sentence = QObject::tr("How far to trust this explanation is not measured yet.");
        return curve;
    }
    const auto& f = e.faithfulness.front();
    curve.title = QObject::tr("Trust — %1, by %2").arg(name, QString::fromStdString(f.method));
    curve.fractions = {0.0, 1.0};
    curve.model = {f.baseline, f.afterTopK};
    curve.randomMean = {f.baseline, f.afterRandom};
    curve.randomLow = curve.randomMean;
    curve.randomHigh = curve.randomMean;
    curve.sentence = f.advantage() > 0.0f
                         ? QObject::tr("Hiding its %1 most relevant segments lowers the score more than hiding random ones.")
                               .arg(f.k)
                         : QObject::tr("Hiding its most relevant segments lowers the score no more than random ones: "
                                       "do not rely on this explanation.");
    return curve;
}

} // namespace tagscope::ui
