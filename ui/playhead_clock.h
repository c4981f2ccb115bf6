// SPDX-License-Identifier: GPL-3.0-or-later
// Pure conversion from an audio sink's counters to the frame the listener hears right now.
#pragma once

#include <cstdint>

namespace tagscope::ui {

/// The device counters are "data processed since start()" and "bytes still waiting in the
/// device buffer"; what the listener hears is the difference. Computing the position from
/// these counters (instead of accumulating timer ticks) cannot drift over a long track.
class PlayheadClock {
public:
    /// Output frames heard since start(): processed minus what is still buffered, never negative.
    static int64_t playedFrames(int64_t processedUSecs, int64_t bufferedBytes, int bytesPerFrame, int sampleRate);
};

} // namespace tagscope::ui
