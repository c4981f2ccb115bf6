// SPDX-License-Identifier: GPL-3.0-or-later
// What every tagscope-cli command shares: exit codes, global options, error reporting.
#pragma once

#include <string>

#include "core/audio/resampler.h"
#include "core/common/error.h"
#include "core/model/tagger.h"

namespace tagscope::cli {

/// Documented exit codes of tagscope-cli.
enum ExitCode : int {
    kExitOk = 0,          ///< everything succeeded
    kExitSomeFailed = 1,  ///< at least one file (or the import) failed; the others were processed
    kExitUsage = 2,       ///< bad command line
    kExitModel = 3,       ///< the model could not be found or loaded
    kExitCancelled = 130, ///< interrupted by SIGINT (Ctrl+C)
};

/// Options valid for every command.
struct GlobalOptions {
    std::string model;          ///< card id or path of a card (.json); "" = first installed card
    std::string device = "auto";
    double hopSeconds = 0.0;    ///< chunk hop; 0 = chunk length
    audio::ResampleQuality resampler = audio::ResampleQuality::Torchaudio; ///< --resampler
    int threads = 0;            ///< 0 = one per core
    bool timings = false;       ///< print seconds per stage (decode, mel, model ...) on stderr

    model::LoadOptions loadOptions() const { return {device, threads}; }
};

/// Prints "tagscope-cli: <message>" as one line on stderr.
void printError(const std::string& message);

/// Same for an Error (its message already names the file).
inline void printError(const Error& error) { printError(error.message); }

} // namespace tagscope::cli
