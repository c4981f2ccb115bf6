// SPDX-License-Identifier: GPL-3.0-or-later
// Named colour maps for the spectrogram and taggram.
#pragma once

#include <QString>
#include <QStringList>

#include "ui/qcp.h"

namespace tagscope::ui {

/// Names accepted by colourMap(), in menu order ("magma", "viridis", "inferno", "grayscale", "jet").
QStringList colourMapNames();
/// The gradient of a named colour map; unknown names give magma.
QCPColorGradient colourMap(const QString& name);

} // namespace tagscope::ui
