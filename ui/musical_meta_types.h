// SPDX-License-Identifier: GPL-3.0-or-later
// Musical explanations travel from the analysis worker to the GUI through queued signals.
#pragma once

#include <QMetaType>

#include "core/surrogate/musical_explanation.h"

namespace tagscope::ui {

/// Registers the musical explanation types for queued connections (idempotent, GUI thread).
void registerMusicalMetaTypes();

} // namespace tagscope::ui

Q_DECLARE_METATYPE(tagscope::surrogate::MusicalTagExplanation)
