// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry point: runs the one target linked into this executable.
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const tagscope::fuzz::TargetFn run = [] {
        const auto& all = tagscope::fuzz::targets();
        if (all.size() != 1) {
            std::fprintf(stderr, "a fuzzer executable must link exactly one target (found %zu)\n", all.size());
            std::abort();
        }
        return all.front().run;
    }();
    run(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
