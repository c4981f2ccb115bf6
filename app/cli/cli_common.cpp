// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/cli_common.h"

#include <cstdio>

namespace tagscope::cli {

void printError(const std::string& message) {
    std::string line = message;
    for (auto& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    std::fprintf(stderr, "tagscope-cli: %s\n", line.c_str());
    std::fflush(stderr);
}

} // namespace tagscope::cli
