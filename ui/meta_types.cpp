// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/meta_types.h"

namespace tagscope::ui {

void registerMetaTypes() {
    qRegisterMetaType<analysis::TrackAnalysis>("tagscope::analysis::TrackAnalysis");
    qRegisterMetaType<analysis::TagExplanation>("tagscope::analysis::TagExplanation");
    qRegisterMetaType<analysis::ChunkPrediction>("tagscope::analysis::ChunkPrediction");
    qRegisterMetaType<io::ModelCard>("tagscope::io::ModelCard");
    qRegisterMetaType<SharedAudio>("tagscope::ui::SharedAudio");
}

} // namespace tagscope::ui
