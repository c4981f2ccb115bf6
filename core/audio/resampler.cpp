// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/audio/resampler.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <samplerate.h>

namespace tagscope::audio {
namespace {

// NOTE: output scratch per src_process call; the converter is called in a loop until the
// input is consumed, so this only bounds one call's output, not the block size.
constexpr size_t kScratchFrames = 16384;

Error converterError(int code) {
    return Error::make(Error::Kind::Internal, {},
                       std::string("sample-rate conversion failed: ") + src_strerror(code));
}

} // namespace

void Resampler::StateDeleter::operator()(SRC_STATE_tag* state) const {
    if (state) src_delete(state);
}

Resampler::Resampler(SRC_STATE_tag* state, double ratio)
    : m_state(state), m_ratio(ratio), m_scratch(kScratchFrames) {}

Resampler::Resampler(Resampler&&) noexcept = default;
Resampler& Resampler::operator=(Resampler&&) noexcept = default;
Resampler::~Resampler() = default;

Result<Resampler> Resampler::create(int fromRate, int toRate, ResampleQuality quality) {
    if (fromRate <= 0 || toRate <= 0) {
        return fail(Error::Kind::InvalidInput, {},
                    "cannot resample from " + std::to_string(fromRate) + " Hz to " +
                        std::to_string(toRate) + " Hz: sample rates must be positive");
    }
    const double ratio = double(toRate) / double(fromRate);
    if (!src_is_valid_ratio(ratio)) {
        return fail(Error::Kind::InvalidInput, {},
                    "cannot resample from " + std::to_string(fromRate) + " Hz to " +
                        std::to_string(toRate) + " Hz: the ratio is outside 1/256 .. 256");
    }
    int error = 0;
    // NOTE: the streaming converter has no torchaudio mode (that filter works on whole signals);
    // it falls back to the best converter.
    const int converter = quality == ResampleQuality::Medium    ? SRC_SINC_MEDIUM_QUALITY
                          : quality == ResampleQuality::Fastest ? SRC_SINC_FASTEST
                                                                : SRC_SINC_BEST_QUALITY;
    SRC_STATE* state = src_new(converter, 1, &error);
    if (!state) return fail(converterError(error));
    return Resampler(state, ratio);
}

int64_t Resampler::outputLength(int64_t inputFrames, int fromRate, int toRate) {
    if (fromRate <= 0 || inputFrames <= 0) return 0;
    // NOTE: exact integer ceil(inputFrames * toRate / fromRate), as librosa.resample sizes its
    // output; floating point would be off by one for some lengths. Splitting into quotient and
    // remainder keeps the products far from int64 overflow.
    const int64_t whole = inputFrames / fromRate;
    const int64_t rest = inputFrames % fromRate;
    return whole * toRate + (rest * toRate + fromRate - 1) / fromRate;
}

Result<void> Resampler::process(std::span<const float> input, std::vector<float>& out) {
    return run(input, false, out);
}

Result<void> Resampler::finish(std::vector<float>& out) { return run({}, true, out); }

Result<void> Resampler::run(std::span<const float> input, bool endOfInput, std::vector<float>& out) {
    if (!m_state) return fail(Error::Kind::Internal, {}, "sample-rate converter used after move");
    // NOTE: libsamplerate 0.2 drops the last ~half filter length when the final (empty) call
    // passes a null input pointer, so an empty input still points at a real float.
    static const float kNoInput = 0.0f;
    SRC_DATA data{};
    data.data_in = input.empty() ? &kNoInput : input.data();
    data.input_frames = static_cast<long>(input.size());
    data.src_ratio = m_ratio;
    data.end_of_input = endOfInput ? 1 : 0;
    for (;;) {
        data.data_out = m_scratch.data();
        data.output_frames = static_cast<long>(m_scratch.size());
        if (const int error = src_process(m_state.get(), &data)) return fail(converterError(error));
        out.insert(out.end(), m_scratch.begin(), m_scratch.begin() + data.output_frames_gen);
        data.data_in += data.input_frames_used;
        data.input_frames -= data.input_frames_used;
        const bool progressed = data.input_frames_used > 0 || data.output_frames_gen > 0;
        if (!progressed) break;
        if (!endOfInput && data.input_frames == 0) break;
    }
    return {};
}

} // namespace tagscope::audio
