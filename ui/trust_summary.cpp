// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/trust_summary.h"

#include <QObject>

namespace tagscope::ui {

namespace {

QString verdictWord(analysis::FaithfulnessVerdict v) {
    switch (v) {
    case analysis::FaithfulnessVerdict::Faithful: return QObject::tr("faithful");
    case analysis::FaithfulnessVerdict::Weak: return QObject::tr("weak");
    case analysis::FaithfulnessVerdict::Chance: return QObject::tr("no better than chance");
    }
    return {};
}

} // namespace

TrustCurve trustCurveFor(const analysis::TagExplanation& e, const std::string& displayName) {
    TrustCurve curve;
    const std::string name = displayName.empty() ? e.tagName : displayName;
    const analysis::FaithfulnessCurve* best = e.bestCurve();
    if (!best) {
        curve.title = QObject::tr("Trust — %1").arg(QString::fromStdString(name));
        curve.sentence = e.bestMethod.empty()
                             ? QObject::tr("How far to trust this explanation is not measured yet.")
                             : QObject::tr("Showing %1; how far to trust it is being measured…")
                                   .arg(QString::fromStdString(e.bestMethod));
        if (!e.bestMethod.empty())
            curve.pending = QObject::tr("Testing the explanation: removing its top segments vs random ones…");
        return curve;
    }
    curve.title = QObject::tr("Trust — %1, by %2 (%3)")
                      .arg(QString::fromStdString(name), QString::fromStdString(best->method), verdictWord(best->verdict));
    curve.fractions = best->fractions;
    curve.model = best->deletion;
    curve.randomMean = best->randomDeletion.mean;
    curve.randomLow = best->randomDeletion.p10;
    curve.randomHigh = best->randomDeletion.p90;
    // NOTE: the core sentence, with the name people read instead of the vocabulary's raw name.
    analysis::FaithfulnessCurve named = *best;
    named.tagName = name;
    curve.sentence = QString::fromStdString(named.summary());
    return curve;
}

} // namespace tagscope::ui
