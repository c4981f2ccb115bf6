// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzz/fuzz_target.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include <unistd.h>

namespace tagscope::fuzz {

std::vector<Target>& targets() {
    static std::vector<Target> all;
    return all;
}

bool registerTarget(const char* name, TargetFn run) {
    targets().push_back({name, run});
    return true;
}

namespace {

struct ScratchFolder {
    std::filesystem::path path;
    ScratchFolder() {
        std::error_code ec;
        const auto base = std::filesystem::temp_directory_path(ec);
        std::string pattern = ((ec ? std::filesystem::path("/tmp") : base) / "tagscope-fuzz-XXXXXX").string();
        if (!mkdtemp(pattern.data())) invariantFailed("mkdtemp(scratch folder)", __FILE__, __LINE__);
        path = pattern;
    }
    ~ScratchFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

} // namespace

const std::filesystem::path& scratchFolder() {
    static const ScratchFolder folder;
    return folder.path;
}

void writeScratchFile(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out) invariantFailed("writing a scratch file", __FILE__, __LINE__);
}

void invariantFailed(const char* expression, const char* file, int line) {
    std::fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", expression, file, line);
    std::abort();
}

} // namespace tagscope::fuzz
