// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tagfile/audio_payload.h"

#include <cstring>
#include <memory>
#include <vector>

#include <sndfile.h>

namespace tagscope::tagfile {
namespace {

struct SndCloser {
    void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndPtr = std::unique_ptr<SNDFILE, SndCloser>;

Result<SndPtr> openSound(const std::filesystem::path& path, SF_INFO& info) {
    info = SF_INFO{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    if (!f) return fail(Error::Kind::InvalidInput, path, std::string("cannot decode the audio: ") + sf_strerror(nullptr));
    return SndPtr(f);
}

} // namespace

Result<void> verifySameAudio(const std::filesystem::path& a, const std::filesystem::path& b) {
    SF_INFO ia{}, ib{};
    auto fa = openSound(a, ia);
    if (!fa) return fail(fa.error());
    auto fb = openSound(b, ib);
    if (!fb) return fail(fb.error());
    if (ia.samplerate != ib.samplerate || ia.channels != ib.channels)
        return fail(Error::Kind::Mismatch, b, "the audio format changed while writing tags");
    // NOTE: frame counts of MP3 headers are estimates; the decoded streams are compared to their end instead.
    constexpr sf_count_t kBlock = 16384;
    std::vector<float> ba(size_t(kBlock * ia.channels)), bb(size_t(kBlock * ib.channels));
    for (;;) {
        const sf_count_t na = sf_readf_float(fa->get(), ba.data(), kBlock);
        const sf_count_t nb = sf_readf_float(fb->get(), bb.data(), kBlock);
        if (na != nb) return fail(Error::Kind::Mismatch, b, "the audio length changed while writing tags");
        if (na <= 0) break;
        if (std::memcmp(ba.data(), bb.data(), size_t(na * ia.channels) * sizeof(float)) != 0)
            return fail(Error::Kind::Mismatch, b, "the audio samples changed while writing tags");
    }
    if (sf_error(fa->get()) != SF_ERR_NO_ERROR || sf_error(fb->get()) != SF_ERR_NO_ERROR)
        return fail(Error::Kind::InvalidInput, b, "decoding stopped with an error while checking the audio");
    return {};
}

} // namespace tagscope::tagfile
