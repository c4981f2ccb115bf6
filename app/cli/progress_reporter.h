// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/common/progress.h"

namespace tagscope::cli {

/// Follows one file's analysis: draws a one-line progress bar on stderr (only when stderr is a
/// terminal) and measures the seconds spent in each progress stage ("decode", "mel", "model" ...).
/// Used on the main thread only.
class ProgressReporter {
public:
    /// `bar`: draw the bar (pass stderrIsTerminal()).
    explicit ProgressReporter(bool bar);

    /// Starts following file `index` (0-based) of `total` named `label`; resets the stage clock.
    void begin(const std::string& label, size_t index, size_t total);
    /// The callback to hand to the analysis.
    ProgressFn callback();
    /// Ends the current file: closes the last stage and erases the bar.
    void end();

    /// Seconds per stage of the last file, in the order the stages started.
    const std::vector<std::pair<std::string, double>>& stageSeconds() const { return m_stages; }
    /// "decode 0.41 s, mel 0.10 s, model 3.20 s, total 3.71 s".
    std::string timingLine() const;

private:
    void onProgress(double fraction, std::string_view stage);
    void draw(double fraction, std::string_view stage);

    bool m_bar;
    std::string m_label;
    size_t m_index = 0, m_total = 0;
    std::string m_stage;
    std::chrono::steady_clock::time_point m_stageStart, m_lastDraw;
    std::vector<std::pair<std::string, double>> m_stages;
};

/// True when stderr is a terminal (isatty).
bool stderrIsTerminal();

} // namespace tagscope::cli
