// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/audio_hash_analyzer.h"

#include <array>

#include <openssl/evp.h>

#include "core/audio/audio_decoder.h"

namespace tagscope::analysis {

struct AudioHashAnalyzer::Digest {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Digest() { EVP_MD_CTX_free(ctx); }
};

AudioHashAnalyzer::AudioHashAnalyzer() : m_digest(std::make_unique<Digest>()) {}
AudioHashAnalyzer::~AudioHashAnalyzer() = default;

Result<void> AudioHashAnalyzer::start(const StreamInfo& info) {
    m_hash.clear();
    if (!m_digest->ctx || EVP_DigestInit_ex(m_digest->ctx, EVP_sha256(), nullptr) != 1)
        return fail(Error::Kind::Internal, info.file, "cannot start a SHA-256 digest");
    return {};
}

Result<void> AudioHashAnalyzer::process(std::span<const float> block, const CancelToken*) {
    // NOTE: the in-memory float layout is little-endian IEEE-754 on every supported platform.
    EVP_DigestUpdate(m_digest->ctx, block.data(), block.size_bytes());
    return {};
}

Result<void> AudioHashAnalyzer::finish(const CancelToken*) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_digest->ctx, md.data(), &len);
    static const char* hex = "0123456789abcdef";
    m_hash.clear();
    for (unsigned i = 0; i < len; ++i) {
        m_hash += hex[md[i] >> 4];
        m_hash += hex[md[i] & 15];
    }
    return {};
}

void AudioHashAnalyzer::abort() noexcept { m_hash.clear(); }

Result<void> AudioCollector::start(const StreamInfo& info) {
    m_audio = {};
    m_audio.sampleRate = info.sampleRate;
    if (info.durationSeconds > 0.0) m_audio.samples.reserve(size_t(info.durationSeconds * info.sampleRate) + 1024);
    return {};
}

Result<void> AudioCollector::process(std::span<const float> block, const CancelToken*) {
    m_audio.samples.insert(m_audio.samples.end(), block.begin(), block.end());
    return {};
}

} // namespace tagscope::analysis
