// SPDX-License-Identifier: GPL-3.0-or-later
// Value types that travel through queued signals between the analysis worker and the GUI.
#pragma once

#include <memory>

#include <QMetaType>

#include "core/analysis/track_analysis.h"
#include "core/audio/audio_decoder.h"
#include "core/cards/model_card.h"

namespace tagscope::ui {

/// Decoded audio shared read-only between the worker, the playback source and the views.
using SharedAudio = std::shared_ptr<const audio::AudioBuffer>;

/// Registers the value types for queued connections; call once before starting a worker
/// (idempotent, GUI thread).
void registerMetaTypes();

} // namespace tagscope::ui

Q_DECLARE_METATYPE(tagscope::analysis::TrackAnalysis)
Q_DECLARE_METATYPE(tagscope::analysis::TagExplanation)
Q_DECLARE_METATYPE(tagscope::analysis::ChunkPrediction)
Q_DECLARE_METATYPE(tagscope::cards::ModelCard)
Q_DECLARE_METATYPE(tagscope::ui::SharedAudio)
