// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dsp/fftw_planner.h"

namespace tagscope::dsp {

std::mutex& fftwPlannerMutex() {
    static std::mutex mutex;
    return mutex;
}

} // namespace tagscope::dsp
