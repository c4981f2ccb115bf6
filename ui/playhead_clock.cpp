// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/playhead_clock.h"

#include <algorithm>

namespace tagscope::ui {

int64_t PlayheadClock::playedFrames(int64_t processedUSecs, int64_t bufferedBytes, int bytesPerFrame, int sampleRate) {
    if (sampleRate <= 0 || bytesPerFrame <= 0) return 0;
    // NOTE: integer arithmetic in frames: microseconds * rate / 1e6 stays exact for hours.
    const int64_t processed = processedUSecs * int64_t(sampleRate) / 1000000;
    const int64_t buffered = std::max<int64_t>(bufferedBytes, 0) / bytesPerFrame;
    return std::max<int64_t>(processed - buffered, 0);
}

} // namespace tagscope::ui
