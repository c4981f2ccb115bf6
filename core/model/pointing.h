// SPDX-License-Identifier: GPL-3.0-or-later
// Pointing benchmark of the explanations (issue 13): a track spliced from passages of clearly
// different music; each passage's own tag is explained on the whole track, and the share of the
// evidence that lies inside that passage is measured per method. Torch-free header; used by a
// test and by bench/run_pointing_bench.sh.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/audio/audio_decoder.h"
#include "core/common/error.h"
#include "core/model/analyzer.h"

namespace tagscope::model {

/// One passage of the spliced track and how well each method points at it.
struct PointingPassage {
    std::string source;                         ///< name of the source (file name)
    double startSeconds = 0.0;                  ///< in the spliced track
    double endSeconds = 0.0;
    size_t tag = 0;                             ///< the passage's own tag (see runPointing)
    std::string tagName;
    float margin = 0.0f;                        ///< its score alone minus the best other passage's
    std::map<std::string, double> share;        ///< per method: evidence share inside the passage
    std::map<std::string, std::vector<double>> evidence; ///< per method: segment evidence (above median)
    std::string bestMethod;                     ///< the explanation's default method
};

/// Result of one spliced track.
struct PointingResult {
    std::vector<PointingPassage> passages;
    std::map<std::string, double> meanShare;    ///< per method, over passages
    double defaultShare = 0.0;                  ///< mean share of each passage's default method
};

/// Splices `passages` (decoded at the model's rate, in order) into one track, analyses every
/// passage alone and the whole track, picks for each passage the tag whose score on that passage
/// alone most exceeds its best score on the other passages, explains it on the whole track
/// (`options`; evidence of a method = its segment scores above their median, so curves that are
/// everywhere positive, like contributions, count only where they stand out), and measures the
/// share of the evidence inside the passage. Errors: fewer than 2 passages, wrong sample rate.
Result<PointingResult> runPointing(Analyzer& analyzer, const std::vector<audio::AudioBuffer>& passages,
                                   const std::vector<std::string>& names, const ExplainOptions& options,
                                   const CancelToken* cancel = nullptr);

} // namespace tagscope::model
