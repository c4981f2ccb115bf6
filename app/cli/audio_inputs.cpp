// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/audio_inputs.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string_view>

namespace tagscope::cli {

namespace fs = std::filesystem;

bool hasAudioExtension(const fs::path& path) {
    static constexpr std::array<std::string_view, 11> kExtensions{".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3",
                                                                  ".aif", ".aiff", ".au",  ".w64", ".caf"};
    std::string ext = path.extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

std::vector<fs::path> collectAudioFiles(const std::vector<std::string>& inputs, std::vector<Error>& problems) {
    std::vector<fs::path> files;
    for (const auto& input : inputs) {
        const fs::path p(input);
        std::error_code ec;
        const auto status = fs::status(p, ec);
        if (ec || !fs::exists(status)) {
            problems.push_back(Error::make(Error::Kind::NotFound, p, "no such file or folder"));
            continue;
        }
        if (!fs::is_directory(status)) {
            files.push_back(p);
            continue;
        }
        std::vector<fs::path> found;
        const auto options = fs::directory_options::skip_permission_denied;
        fs::recursive_directory_iterator it(p, options, ec), end;
        if (ec) {
            problems.push_back(Error::make(Error::Kind::Io, p, "cannot read folder: " + ec.message()));
            continue;
        }
        for (; it != end; it.increment(ec)) {
            if (ec) {
                problems.push_back(Error::make(Error::Kind::Io, p, "cannot read folder: " + ec.message()));
                break;
            }
            std::error_code fileEc;
            if (it->is_regular_file(fileEc) && hasAudioExtension(it->path())) found.push_back(it->path());
        }
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

fs::path absoluteInput(const fs::path& input) {
    std::error_code ec;
    auto abs = fs::absolute(input, ec);
    return (ec ? input : abs).lexically_normal();
}

std::vector<LibraryFile> collectLibraryFiles(const std::vector<std::string>& roots, std::vector<Error>& problems) {
    std::vector<LibraryFile> out;
    std::set<std::string> seen;
    for (const auto& root : roots) {
        const fs::path base = absoluteInput(root);
        std::error_code ec;
        const bool folder = fs::is_directory(base, ec);
        for (const auto& f : collectAudioFiles({base.string()}, problems)) {
            const fs::path abs = f.lexically_normal();
            if (!seen.insert(abs.native()).second) continue;
            out.push_back({abs, folder ? abs.lexically_relative(base) : abs.filename()});
        }
    }
    return out;
}

} // namespace tagscope::cli
