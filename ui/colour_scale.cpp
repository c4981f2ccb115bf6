// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/colour_scale.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace tagscope::ui {

namespace {

std::vector<std::pair<double, QColor>> makeStops(std::initializer_list<std::pair<double, const char*>> list) {
    std::vector<std::pair<double, QColor>> out;
    for (const auto& [pos, hex] : list) out.emplace_back(pos, QColor(QLatin1String(hex)));
    return out;
}

} // namespace

QStringList ColourScale::names() {
    return {QStringLiteral("magma"), QStringLiteral("viridis"), QStringLiteral("inferno"),
            QStringLiteral("grayscale"), QStringLiteral("jet")};
}

ColourScale ColourScale::named(const QString& name) {
    ColourScale s;
    // NOTE: stops sampled from matplotlib's perceptually uniform maps (CC0).
    if (name == QLatin1String("viridis"))
        s.m_stops = makeStops({{0.0, "#440154"}, {0.125, "#472d7b"}, {0.25, "#3b528b"}, {0.375, "#2c728e"},
                           {0.5, "#21918c"}, {0.625, "#28ae80"}, {0.75, "#5ec962"}, {0.875, "#addc30"},
                           {1.0, "#fde725"}});
    else if (name == QLatin1String("inferno"))
        s.m_stops = makeStops({{0.0, "#000004"}, {0.125, "#1f0c48"}, {0.25, "#550f6d"}, {0.375, "#88226a"},
                           {0.5, "#ba3655"}, {0.625, "#e35933"}, {0.75, "#f98e09"}, {0.875, "#f8c931"},
                           {1.0, "#fcffa4"}});
    else if (name == QLatin1String("grayscale"))
        s.m_stops = makeStops({{0.0, "#000000"}, {1.0, "#ffffff"}});
    else if (name == QLatin1String("jet"))
        s.m_stops = makeStops({{0.0, "#000032"}, {0.15, "#0000ff"}, {0.35, "#00ffff"}, {0.65, "#ffff00"},
                           {0.85, "#ff1e00"}, {1.0, "#640000"}});
    else
        s.m_stops = makeStops({{0.0, "#000004"}, {0.125, "#1c1044"}, {0.25, "#4f127b"}, {0.375, "#812581"},
                           {0.5, "#b5367a"}, {0.625, "#e55064"}, {0.75, "#fb8761"}, {0.875, "#fec287"},
                           {1.0, "#fcfdbf"}});
    return s;
}

QRgb ColourScale::at(double t) const {
    if (m_stops.empty()) return qRgb(0, 0, 0);
    if (!std::isfinite(t)) t = 0.0;
    t = std::clamp(t, 0.0, 1.0);
    auto hi = std::lower_bound(m_stops.begin(), m_stops.end(), t,
                               [](const auto& stop, double v) { return stop.first < v; });
    if (hi == m_stops.begin()) return m_stops.front().second.rgb();
    if (hi == m_stops.end()) return m_stops.back().second.rgb();
    const auto lo = hi - 1;
    const double f = hi->first > lo->first ? (t - lo->first) / (hi->first - lo->first) : 0.0;
    auto mix = [f](int a, int b) { return int(std::lround(a + (b - a) * f)); };
    const QColor& a = lo->second;
    const QColor& b = hi->second;
    return qRgb(mix(a.red(), b.red()), mix(a.green(), b.green()), mix(a.blue(), b.blue()));
}

} // namespace tagscope::ui
