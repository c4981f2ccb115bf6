// SPDX-License-Identifier: GPL-3.0-or-later
// Audio decoding: libsndfile plus our checks around it (header vs log, truncation, NaN, rates).
#include <cmath>

#include <sys/mman.h>
#include <unistd.h>

#include "core/audio/audio_checks.h"
#include "core/audio/audio_decoder.h"
#include "fuzz/fuzz_target.h"

namespace {

// NOTE: decodeAudio takes a path (it checks the file before libsndfile opens it), so each input
// is written to an in-memory file and read back through /proc/self/fd.
std::string memoryFilePath(std::string_view bytes) {
    static const int fd = memfd_create("tagscope-fuzz-audio", 0);
    TAGSCOPE_FUZZ_CHECK(fd >= 0);
    TAGSCOPE_FUZZ_CHECK(ftruncate(fd, 0) == 0);
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = pwrite(fd, bytes.data() + done, bytes.size() - done, off_t(done));
        TAGSCOPE_FUZZ_CHECK(n > 0);
        done += size_t(n);
    }
    return "/proc/self/fd/" + std::to_string(fd);
}

} // namespace

TAGSCOPE_FUZZ_TARGET(audio_decoder) {
    using namespace tagscope;
    const std::string path = memoryFilePath(bytes);
    auto info = audio::probeAudio(path);
    if (info) {
        TAGSCOPE_FUZZ_CHECK(audio::isPlausibleSampleRate(info->sampleRate));
        TAGSCOPE_FUZZ_CHECK(info->channels > 0 && info->frames >= 0);
    }
    // NOTE: at most 20 s of audio per input, so a valid long stream does not stall the fuzzer.
    audio::DecodeOptions options;
    options.maxSeconds = 20.0;
    auto decoded = audio::decodeAudio(path, options);
    if (decoded) {
        TAGSCOPE_FUZZ_CHECK(!decoded->samples.empty());
        for (float s : decoded->samples) TAGSCOPE_FUZZ_CHECK(std::isfinite(s));
    } else {
        TAGSCOPE_FUZZ_CHECK(!decoded.error().message.empty());
    }
}
