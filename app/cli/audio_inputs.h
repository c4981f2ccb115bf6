// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace tagscope::cli {

/// True when `path`'s extension is one of the audio formats the decoder reads (case-insensitive):
/// wav, flac, ogg, oga, opus, mp3, aif, aiff, au, w64, caf.
bool hasAudioExtension(const std::filesystem::path& path);

/// The files to analyse: each input file as given (whatever its extension), and the audio files
/// found recursively in each input folder, sorted. Inputs that do not exist, or folders that
/// cannot be read, are returned in `problems` (and skipped).
std::vector<std::filesystem::path> collectAudioFiles(const std::vector<std::string>& inputs,
                                                     std::vector<Error>& problems);

/// An audio file found under a library root, with its path relative to that root (what
/// `--shard` partitions on, so every machine agrees wherever the library is mounted).
struct LibraryFile {
    std::filesystem::path path;       ///< absolute, normalised
    std::filesystem::path relative;   ///< relative to its root (the file name for a file input)
};

/// collectAudioFiles() for a library: absolute paths, each with its root-relative path; a file
/// reached through two inputs is listed once.
std::vector<LibraryFile> collectLibraryFiles(const std::vector<std::string>& roots, std::vector<Error>& problems);

/// The absolute, normalised form of an input (as stored in the catalog).
std::filesystem::path absoluteInput(const std::filesystem::path& input);

} // namespace tagscope::cli
