// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <mutex>

namespace tagscope::dsp {

/// The one mutex every fftwf_plan_* / fftwf_destroy_plan call in the process must hold:
/// FFTW's planner is not thread-safe (executing a finished plan is). Any thread.
std::mutex& fftwPlannerMutex();

} // namespace tagscope::dsp
