// SPDX-License-Identifier: GPL-3.0-or-later
// The one way ui/ includes QCustomPlot.
#pragma once

// NOTE: qcustomplot.h uses the Qt keywords `signals` and `foreach`, which QT_NO_KEYWORDS
// (needed next to torch headers elsewhere) removes; map them for this header only.
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef foreach
