// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzz/fuzz_target.h"

#include <cstdio>
#include <cstdlib>

namespace tagscope::fuzz {

std::vector<Target>& targets() {
    static std::vector<Target> all;
    return all;
}

bool registerTarget(const char* name, TargetFn run) {
    targets().push_back({name, run});
    return true;
}

void invariantFailed(const char* expression, const char* file, int line) {
    std::fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", expression, file, line);
    std::abort();
}

} // namespace tagscope::fuzz
