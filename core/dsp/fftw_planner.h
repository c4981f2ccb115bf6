// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <mutex>

namespace tagscope::dsp {

/// The one mutex every fftwf_plan_* / fftwf_destroy_plan call of ours must hold: FFTW's planner
/// is not thread-safe (executing a finished plan is). Taking it the first time also switches
/// FFTW's own planner to thread-safe mode (fftwf_make_planner_thread_safe), which covers
/// libraries that plan behind our back with their own lock or none (aubio creates plans in
/// new_aubio_tempo / new_aubio_onset). Any thread.
std::mutex& fftwPlannerMutex();

} // namespace tagscope::dsp
