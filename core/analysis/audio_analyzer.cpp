// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/audio_analyzer.h"

#include <algorithm>
#include <new>
#include <optional>
#include <string>

#include "core/audio/audio_stream.h"
#include "core/dsp/sinc_stream.h"

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

namespace {

/// One distinct wanted rate: its converter and the analyzers fed from it.
struct RateFeed {
    int rate = 0;
    std::optional<dsp::SincStream> sinc;
    std::optional<audio::Resampler> converter;
    int64_t emitted = 0;
    std::vector<float> out, pending;
    std::vector<AudioAnalyzer*> analyzers;
};

} // namespace

Result<void> runAnalyzers(const std::filesystem::path& file, std::span<AudioAnalyzer* const> analyzers,
                          const AnalyzerRunOptions& options, const ProgressFn& progress,
                          const CancelToken* cancel) try {
    if (analyzers.empty()) return {};
    // NOTE: one streaming decode at the file's own rate; each distinct wanted rate is converted
    // block by block by its own streaming converter, so only a block per rate is ever held.
    auto stream = audio::AudioStream::open(file, {}, int64_t(std::max<size_t>(1024, options.blockFrames)));
    if (!stream) return fail(stream.error());
    const audio::AudioInfo& info = stream->fileInfo();
    const int fileRate = info.sampleRate;
    const double duration = info.durationSeconds();

    std::vector<RateFeed> feeds;
    for (AudioAnalyzer* a : analyzers) {
        const int rate = a->wantedSampleRate() > 0 ? a->wantedSampleRate() : fileRate;
        auto it = std::find_if(feeds.begin(), feeds.end(), [&](const RateFeed& f) { return f.rate == rate; });
        if (it == feeds.end()) {
            RateFeed f;
            f.rate = rate;
            if (rate != fileRate && options.resampleQuality == audio::ResampleQuality::Torchaudio) {
                auto kernel = dsp::SincResampler::create(fileRate, rate);
                if (!kernel) return fail(Error::make(Error::Kind::InvalidInput, file, kernel.error().message));
                f.sinc.emplace(std::move(*kernel));
            } else if (rate != fileRate) {
                auto converter = audio::Resampler::create(fileRate, rate, options.resampleQuality);
                if (!converter) return fail(Error::make(Error::Kind::InvalidInput, file, converter.error().message));
                f.converter.emplace(std::move(*converter));
            }
            feeds.push_back(std::move(f));
            it = feeds.end() - 1;
        }
        it->analyzers.push_back(a);
    }

    StartedAnalyzers started;
    for (AudioAnalyzer* a : analyzers) {
        const int rate = a->wantedSampleRate() > 0 ? a->wantedSampleRate() : fileRate;
        StreamInfo si{file, rate, fileRate, info.channels, duration};
        if (auto ok = a->start(si); !ok) return fail(withFile(file, a->name(), ok.error()));
        started.add(a);
    }
    auto feed = [&](RateFeed& f, std::span<const float> samples) -> Result<void> {
        if (samples.empty()) return {};
        for (AudioAnalyzer* a : f.analyzers) {
            if (isCancelled(cancel)) return fail(Error::cancelled());
            if (auto ok = a->process(samples, cancel); !ok) return fail(withFile(file, a->name(), ok.error()));
        }
        return {};
    };
    // Converts `block` (file rate) for one feed, or drains its converter when `block` is null;
    // libsamplerate's output is held to ceil(frames * ratio) like decodeAudio's.
    auto convert = [&](RateFeed& f, const std::vector<float>* block, int64_t framesRead) -> Result<std::span<const float>> {
        f.out.clear();
        if (f.sinc) {
            if (block) f.sinc->push(*block, f.out);
            else f.sinc->finish(f.out);
            return std::span<const float>(f.out);
        }
        if (!f.converter) return block ? std::span<const float>(*block) : std::span<const float>();
        std::vector<float> produced;
        auto ok = block ? f.converter->process(*block, produced) : f.converter->finish(produced);
        if (!ok) return fail(Error::make(Error::Kind::Internal, file, ok.error().message));
        f.pending.insert(f.pending.end(), produced.begin(), produced.end());
        const int64_t limit = audio::Resampler::outputLength(framesRead, fileRate, f.rate);
        const auto take = size_t(std::clamp<int64_t>(limit - f.emitted, 0, int64_t(f.pending.size())));
        f.out.assign(f.pending.begin(), f.pending.begin() + std::ptrdiff_t(take));
        f.pending.erase(f.pending.begin(), f.pending.begin() + std::ptrdiff_t(take));
        f.emitted += int64_t(take);
        if (!block && f.emitted < limit) {
            f.out.resize(f.out.size() + size_t(limit - f.emitted), 0.0f);
            f.emitted = limit;
        }
        return std::span<const float>(f.out);
    };

    ThrottledProgress report(progress);
    std::vector<float> block;
    int64_t framesRead = 0;
    report(0.0, "decode");
    for (bool more = true; more;) {
        auto next = stream->next(block, cancel);
        if (!next) return fail(next.error());
        more = *next;
        framesRead += int64_t(block.size());
        for (auto& f : feeds) {
            auto samples = convert(f, &block, framesRead);
            if (!samples) return fail(samples.error());
            if (auto ok = feed(f, *samples); !ok) return fail(ok.error());
            if (!more) {
                auto tail = convert(f, nullptr, framesRead);
                if (!tail) return fail(tail.error());
                if (auto ok = feed(f, *tail); !ok) return fail(ok.error());
            }
        }
        report(stream->fraction(), "decode");
    }
    for (AudioAnalyzer* a : analyzers) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        report(1.0, a->name());
        if (auto ok = a->finish(cancel); !ok) return fail(withFile(file, a->name(), ok.error()));
        started.finished(a);
    }
    return {};
} catch (const std::bad_alloc&) {
    return fail(Error::Kind::InvalidInput, file, "not enough memory to analyse this audio (is it extremely long?)");
} catch (const std::exception& e) {
    return fail(Error::Kind::Internal, file, std::string("analysing the audio failed unexpectedly: ") + e.what());
}

} // namespace tagscope::analysis
