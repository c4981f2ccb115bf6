// SPDX-License-Identifier: GPL-3.0-or-later
// Where the running program finds the data it ships with (the bundled models/ folder).
#pragma once

#include <filesystem>
#include <optional>

namespace tagscope::io {

/// Name of the marker file CMake writes at the top of a build tree (never installed): one line,
/// the source tree's path. It lets binaries run from the build tree find the source's models/.
inline constexpr const char* kBuildTreeMarker = "tagscope-source-tree.txt";

/// Folder of the running executable (from /proc/self/exe), or empty when unknown.
std::filesystem::path executableDirectory();

/// The source tree named by the build tree's marker file, looked for in `exeDir` and its two
/// parents (build/app/, build/tests/<layer>/). nullopt when `exeDir` is not in a build tree.
std::optional<std::filesystem::path> buildTreeSourceDirectory(const std::filesystem::path& exeDir);

/// The folder holding the program's bundled data (models/, models/taxonomy/), in order:
/// $TAGSCOPE_DATA_DIR when set; for an installed program <prefix>/share/tagscope (found from
/// <prefix>/bin/<exe>); for a program run from its build tree, the source tree. An installed
/// program never looks at the build tree's marker. nullopt when there is none.
std::optional<std::filesystem::path> bundledDataDirectory(const std::filesystem::path& exeDir = executableDirectory());

} // namespace tagscope::io
