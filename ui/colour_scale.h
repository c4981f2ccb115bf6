// SPDX-License-Identifier: GPL-3.0-or-later
// The named colour maps of every view and figure, as plain colour stops (Qt Gui only).
#pragma once

#include <utility>
#include <vector>

#include <QColor>
#include <QString>
#include <QStringList>

namespace tagscope::ui {

/// A colour map: stops at positions 0..1, interpolated linearly in RGB. The window's
/// spectrogram (through colourMap()) and the explanation figure both read these, so a map
/// looks the same on screen, in an export and in `explain --png`.
class ColourScale {
public:
    /// Names accepted by named(), in menu order ("magma", "viridis", "inferno", "grayscale", "jet").
    static QStringList names();
    /// The map called `name`; unknown names give magma.
    static ColourScale named(const QString& name);

    /// Colour at `t` (clamped to 0..1; NaN gives the lowest colour).
    QRgb at(double t) const;
    const std::vector<std::pair<double, QColor>>& stops() const { return m_stops; }

private:
    std::vector<std::pair<double, QColor>> m_stops;
};

} // namespace tagscope::ui
