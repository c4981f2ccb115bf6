// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/data_directories.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace tagscope::io {
namespace fs = std::filesystem;

fs::path executableDirectory() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec || !exe.has_parent_path()) return {};
    return exe.parent_path();
}

std::optional<fs::path> buildTreeSourceDirectory(const fs::path& exeDir) {
    if (exeDir.empty()) return std::nullopt;
    fs::path dir = exeDir;
    for (int level = 0; level < 3; ++level) {
        std::error_code ec;
        const fs::path marker = dir / kBuildTreeMarker;
        if (fs::is_regular_file(marker, ec)) {
            std::ifstream in(marker);
            std::string line;
            std::getline(in, line);
            if (!line.empty() && fs::is_directory(line, ec)) return fs::path(line);
            return std::nullopt;
        }
        if (!dir.has_parent_path() || dir.parent_path() == dir) break;
        dir = dir.parent_path();
    }
    return std::nullopt;
}

std::optional<fs::path> bundledDataDirectory(const fs::path& exeDir) {
    if (const char* e = std::getenv("TAGSCOPE_DATA_DIR"); e && *e) return fs::path(e);
    if (exeDir.empty()) return std::nullopt;
    std::error_code ec;
    // NOTE: the installed layout wins and ends the search: an installed program never looks for
    // a build tree, so it cannot pick up models from the machine it was built on.
    const fs::path installed = exeDir.parent_path() / "share" / "tagscope";
    if (exeDir.filename() == "bin" && fs::is_directory(installed, ec)) return installed;
    return buildTreeSourceDirectory(exeDir);
}

} // namespace tagscope::io
