// SPDX-License-Identifier: GPL-3.0-or-later
// The analyzer contract (after Mixxx's analyzers): one decode pass feeds every analysis of a
// track — the tagger, the perceptual features, the catalog writer. Each analyzer states the
// sample rate it wants; the driver decodes the file once, block by block, converts each block
// once per distinct rate, and hands each analyzer mono blocks in order: start -> process... ->
// finish. Torch-free and
// Qt-free; analyzers that need a model live in the model layer and implement this interface.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/audio/resampler.h"
#include "core/common/error.h"
#include "core/common/progress.h"

namespace tagscope::analysis {

/// What an analyzer is told before the first block.
struct StreamInfo {
    std::filesystem::path file;
    int sampleRate = 0;            ///< rate of the blocks this analyzer receives (its own choice)
    int fileSampleRate = 0;        ///< the file's own rate
    int fileChannels = 0;          ///< the file's own channel count (blocks are always mono)
    double durationSeconds = 0.0;  ///< the track's length
};

/// One analysis that consumes a track's audio as a stream of mono blocks. The driver calls, on
/// one thread: start() once, process() for each block in order, finish() once after the last
/// block. When any call fails or the run is cancelled, the driver calls abort() instead of
/// finish() so the analyzer can drop partial state (abort must not fail). An analyzer is reused
/// for the next track by calling start() again.
class AudioAnalyzer {
public:
    virtual ~AudioAnalyzer() = default;
    /// A short stable name ("tagger", "features"), used in progress stages and errors.
    virtual std::string_view name() const = 0;
    /// The sample rate (Hz) the analyzer wants its blocks at; 0 = the file's own rate.
    virtual int wantedSampleRate() const = 0;
    virtual Result<void> start(const StreamInfo& info) = 0;
    /// `block` is mono float audio at StreamInfo::sampleRate; blocks have no fixed size.
    virtual Result<void> process(std::span<const float> block, const CancelToken* cancel) = 0;
    virtual Result<void> finish(const CancelToken* cancel) = 0;
    virtual void abort() noexcept {}
};

struct AnalyzerRunOptions {
    /// Converter used when an analyzer wants another rate than the file's.
    audio::ResampleQuality resampleQuality = audio::ResampleQuality::Torchaudio;
    size_t blockFrames = 65536;    ///< frames per process() call
};

/// Decodes `file` once, block by block, and runs every analyzer over it: all are started, then
/// each decoded block is converted once per distinct wanted rate (streaming converters, so the
/// samples are exactly those of decodeAudio at that rate) and given to that rate's analyzers;
/// after the last block each is finished in turn (start and finish in the order given). Only a block per rate is held,
/// so memory does not grow with the track's length (unless an analyzer keeps the samples).
/// Progress stages: "decode" while blocks are fed, then each analyzer's name as it finishes.
/// The first error (naming the file) stops the run; every analyzer that was started and has not
/// finished is aborted. Cancellation returns Error::Kind::Cancelled.
Result<void> runAnalyzers(const std::filesystem::path& file, std::span<AudioAnalyzer* const> analyzers,
                          const AnalyzerRunOptions& options = {}, const ProgressFn& progress = {},
                          const CancelToken* cancel = nullptr);

} // namespace tagscope::analysis
