// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/meta_types.h"

namespace tagscope::ui {

void registerMetaTypes() {
    qRegisterMetaType<analysis::TrackAnalysis>("tagscope::analysis::TrackAnalysis");
    qRegisterMetaType<analysis::TagExplanation>("tagscope::analysis::TagExplanation");
    qRegisterMetaType<analysis::ChunkPrediction>("tagscope::analysis::ChunkPrediction");
    qRegisterMetaType<cards::ModelCard>("tagscope::cards::ModelCard");
    qRegisterMetaType<SharedAudio>("tagscope::ui::SharedAudio");
}

} // namespace tagscope::ui
