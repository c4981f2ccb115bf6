// SPDX-License-Identifier: GPL-3.0-or-later
// The training corpus file list (tools/corpus/build_file_list.sh). Torch-free.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace tagscope::model::training {

/// One audio file of the corpus and the split its package belongs to.
struct CorpusEntry {
    std::filesystem::path path;
    std::string package;
    double durationSeconds = 0.0;
    std::string split; ///< "train", "validation" or "test"
};

/// Reads a corpus TSV: "path<TAB>package<TAB>duration<TAB>split" per line ('#' lines are
/// comments). Errors name the file and the line.
Result<std::vector<CorpusEntry>> readCorpusList(const std::filesystem::path& tsv);

/// Writes a corpus TSV (with a header comment) atomically.
Result<void> writeCorpusList(const std::filesystem::path& tsv, const std::vector<CorpusEntry>& entries);

/// Reads candidates "path<TAB>package<TAB>split", probes each file's duration from its header
/// and keeps the files of at least `minSeconds`. Unreadable files are skipped and counted in
/// `skipped` when given.
Result<std::vector<CorpusEntry>> probeCandidates(const std::filesystem::path& candidatesTsv, double minSeconds,
                                                 size_t* skipped = nullptr);

/// The entries of one split, in an order that interleaves packages (round robin), so a cache
/// or a run cut short still covers every package.
std::vector<CorpusEntry> selectSplit(const std::vector<CorpusEntry>& entries, const std::string& split);

} // namespace tagscope::model::training
