// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/colour_maps.h"

#include <initializer_list>
#include <utility>

namespace tagscope::ui {

namespace {

QCPColorGradient fromStops(std::initializer_list<std::pair<double, const char*>> stops) {
    QCPColorGradient g;
    g.clearColorStops();
    for (const auto& [pos, hex] : stops) g.setColorStopAt(pos, QColor(QLatin1String(hex)));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    return g;
}

} // namespace

QStringList colourMapNames() {
    return {QStringLiteral("magma"), QStringLiteral("viridis"), QStringLiteral("inferno"),
            QStringLiteral("grayscale"), QStringLiteral("jet")};
}

QCPColorGradient colourMap(const QString& name) {
    // NOTE: stops sampled from matplotlib's perceptually uniform maps (CC0).
    if (name == QLatin1String("viridis"))
        return fromStops({{0.0, "#440154"}, {0.125, "#472d7b"}, {0.25, "#3b528b"}, {0.375, "#2c728e"},
                          {0.5, "#21918c"}, {0.625, "#28ae80"}, {0.75, "#5ec962"}, {0.875, "#addc30"},
                          {1.0, "#fde725"}});
    if (name == QLatin1String("inferno"))
        return fromStops({{0.0, "#000004"}, {0.125, "#1f0c48"}, {0.25, "#550f6d"}, {0.375, "#88226a"},
                          {0.5, "#ba3655"}, {0.625, "#e35933"}, {0.75, "#f98e09"}, {0.875, "#f8c931"},
                          {1.0, "#fcffa4"}});
    if (name == QLatin1String("grayscale")) return QCPColorGradient(QCPColorGradient::gpGrayscale);
    if (name == QLatin1String("jet")) return QCPColorGradient(QCPColorGradient::gpJet);
    return fromStops({{0.0, "#000004"}, {0.125, "#1c1044"}, {0.25, "#4f127b"}, {0.375, "#812581"},
                      {0.5, "#b5367a"}, {0.625, "#e55064"}, {0.75, "#fb8761"}, {0.875, "#fec287"},
                      {1.0, "#fcfdbf"}});
}

} // namespace tagscope::ui
