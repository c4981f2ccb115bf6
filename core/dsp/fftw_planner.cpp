// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dsp/fftw_planner.h"

#include <fftw3.h>

namespace tagscope::dsp {

std::mutex& fftwPlannerMutex() {
    // NOTE: the feature extractor runs aubio's beat tracker on a second thread while the
    // spectral pass plans its FFTs here; aubio plans with fftwf too and does not know our
    // mutex, so two planners ran at once and corrupted the heap ("double free or corruption",
    // seen on a silent clip in CI). FFTW >= 3.3.5 serialises its planner itself once asked.
    static std::mutex mutex;
    static const bool threadSafe = [] {
        fftwf_make_planner_thread_safe();
        return true;
    }();
    (void)threadSafe;
    return mutex;
}

} // namespace tagscope::dsp
