// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/audio_analyzer.h"

#include <algorithm>
#include <map>
#include <string>

#include "core/audio/audio_decoder.h"
#include "core/dsp/sinc_resampler.h"

namespace tagscope::analysis {

namespace {

/// Aborts every started analyzer that has not finished when the run leaves early (RAII, so a
/// failure anywhere cleans up).
class StartedAnalyzers {
public:
    void add(AudioAnalyzer* a) { m_open.push_back(a); }
    void finished(AudioAnalyzer* a) { std::erase(m_open, a); }
    ~StartedAnalyzers() {
        for (auto* a : m_open) a->abort();
    }

private:
    std::vector<AudioAnalyzer*> m_open;
};

Error withFile(const std::filesystem::path& file, std::string_view analyzer, const Error& e) {
    if (e.kind == Error::Kind::Cancelled) return e;
    // Errors from inside an analyzer may not name the file; make sure the user sees which one.
    const std::string name = file.filename().string();
    if (!name.empty() && e.message.find(name) != std::string::npos) return e;
    return Error::make(e.kind, file, std::string(analyzer) + ": " + e.message);
}

} // namespace

Result<void> runAnalyzers(const std::filesystem::path& file, std::span<AudioAnalyzer* const> analyzers,
                          const AnalyzerRunOptions& options, const ProgressFn& progress,
                          const CancelToken* cancel) {
    if (analyzers.empty()) return {};
    auto info = audio::probeAudio(file);
    if (!info) return fail(info.error());
    // NOTE: one decode at the file's own rate; each distinct wanted rate is converted once.
    auto decoded = audio::decodeAudio(file, {}, progress, cancel);
    if (!decoded) return fail(decoded.error());
    const int fileRate = decoded->sampleRate;

    std::map<int, std::vector<float>> converted;
    auto signalAt = [&](int rate) -> Result<const std::vector<float>*> {
        if (rate == 0 || rate == fileRate) return &decoded->samples;
        if (auto it = converted.find(rate); it != converted.end()) return &it->second;
        if (options.resampleQuality == audio::ResampleQuality::Torchaudio) {
            auto sinc = dsp::SincResampler::create(fileRate, rate);
            if (!sinc) return fail(Error::make(Error::Kind::InvalidInput, file, sinc.error().message));
            return &converted.emplace(rate, sinc->process(decoded->samples)).first->second;
        }
        auto resampled = audio::resample(decoded->samples, fileRate, rate);
        if (!resampled) return fail(Error::make(Error::Kind::InvalidInput, file, resampled.error().message));
        return &converted.emplace(rate, std::move(*resampled)).first->second;
    };

    StartedAnalyzers started;
    const size_t block = std::max<size_t>(1024, options.blockFrames);
    for (size_t ai = 0; ai < analyzers.size(); ++ai) {
        AudioAnalyzer* a = analyzers[ai];
        const int rate = a->wantedSampleRate() > 0 ? a->wantedSampleRate() : fileRate;
        auto signal = signalAt(rate);
        if (!signal) return fail(signal.error());
        const std::vector<float>& s = **signal;
        StreamInfo si{file, rate, fileRate, info->channels, decoded->durationSeconds()};
        if (auto ok = a->start(si); !ok) return fail(withFile(file, a->name(), ok.error()));
        started.add(a);
        ThrottledProgress report(progress);
        for (size_t off = 0; off < s.size(); off += block) {
            if (isCancelled(cancel)) return fail(Error::cancelled());
            const size_t n = std::min(block, s.size() - off);
            if (auto ok = a->process(std::span<const float>(s.data() + off, n), cancel); !ok)
                return fail(withFile(file, a->name(), ok.error()));
            report(double(off + n) / double(s.size()), a->name());
        }
        if (isCancelled(cancel)) return fail(Error::cancelled());
        if (auto ok = a->finish(cancel); !ok) return fail(withFile(file, a->name(), ok.error()));
        started.finished(a);
    }
    return {};
}

} // namespace tagscope::analysis
