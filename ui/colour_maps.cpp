// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/colour_maps.h"

#include "ui/colour_scale.h"

namespace tagscope::ui {

QStringList colourMapNames() { return ColourScale::names(); }

QCPColorGradient colourMap(const QString& name) {
    // NOTE: built from ColourScale's stops, the same ones the explanation figure uses.
    QCPColorGradient g;
    g.clearColorStops();
    for (const auto& [pos, colour] : ColourScale::named(name).stops()) g.setColorStopAt(pos, colour);
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    return g;
}

} // namespace tagscope::ui
