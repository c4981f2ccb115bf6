// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/colour_maps.h"

#include "ui/colour_scale.h"

namespace tagscope::ui {

QStringList colourMapNames() { return ColourScale::names(); }

QCPColorGradient colourMap(const QString& name) {
    // NOTE: built from ColourScale's stops, the same ones the explanation figure uses.
    QCPColorGradient g;
    g.clearColorStops();
    // NOTE: the scale is kept in a variable: stops() returns a reference into it, and a range-for
    // over a temporary's member reference reads a destroyed object (AddressSanitizer:
    // stack-use-after-scope).
    const ColourScale scale = ColourScale::named(name);
    for (const auto& [pos, colour] : scale.stops()) g.setColorStopAt(pos, colour);
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    return g;
}

} // namespace tagscope::ui
