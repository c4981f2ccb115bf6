// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dsp/sinc_stream.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace tagscope::dsp {

SincStream::SincStream(SincResampler resampler)
    : m_resampler(std::move(resampler)), m_identity(m_resampler.fromRate() == m_resampler.toRate()) {}

void SincStream::reset() {
    m_buffer.clear();
    m_base = 0;
    m_received = 0;
    m_nextOut = 0;
}

void SincStream::push(std::span<const float> input, std::vector<float>& out) {
    if (m_identity) {
        out.insert(out.end(), input.begin(), input.end());
        m_received += int64_t(input.size());
        m_nextOut = m_received;
        return;
    }
    m_buffer.insert(m_buffer.end(), input.begin(), input.end());
    m_received += int64_t(input.size());
    // NOTE: while the stream is open only outputs whose whole window has arrived are emitted;
    // the samples beyond the end are unknown until finish().
    emit(m_received, std::numeric_limits<int64_t>::max(), out);
}

void SincStream::finish(std::vector<float>& out) {
    if (m_identity) return;
    const int64_t total = SincResampler::outputLength(m_received, m_resampler.fromRate(), m_resampler.toRate());
    emit(m_received, total, out);
    m_buffer.clear();
    m_buffer.shrink_to_fit();
    m_base = m_received;
}

void SincStream::emit(int64_t known, int64_t upTo, std::vector<float>& out) {
    const bool open = upTo == std::numeric_limits<int64_t>::max();
    while (m_nextOut < upTo) {
        if (open && m_resampler.inputEndOf(m_nextOut) > known) break;
        out.push_back(m_resampler.outputAt(m_nextOut, m_buffer.data(), m_base, known));
        ++m_nextOut;
    }
    // NOTE: drop the input no later output can read; compacting only once half the buffer is
    // dead keeps the cost of the moves linear in the signal's length.
    const int64_t keepFrom = std::clamp<int64_t>(m_resampler.inputStartOf(m_nextOut), m_base, m_received);
    const auto dead = size_t(keepFrom - m_base);
    if (dead > 0 && dead * 2 >= m_buffer.size()) {
        m_buffer.erase(m_buffer.begin(), m_buffer.begin() + std::ptrdiff_t(dead));
        m_base = keepFrom;
    }
}

} // namespace tagscope::dsp
