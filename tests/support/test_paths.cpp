// SPDX-License-Identifier: GPL-3.0-or-later
// NOTE: the build's paths live in this one translation unit (from a generated header), so the
// other test sources compile identically in every checkout and a compiler cache can share them.
#include "tests/support/test_paths.h"

#include "tagscope_test_config.h"

namespace tagscope::test {

std::filesystem::path sharedDir() {
    if (const char* e = std::getenv("TAGSCOPE_SHARED"); e && *e) return e;
    return TAGSCOPE_SHARED_DIR_DEFAULT;
}
std::filesystem::path sourceDir() { return TAGSCOPE_SOURCE_DIR_DEFAULT; }
std::filesystem::path binaryDir() { return TAGSCOPE_BINARY_DIR_DEFAULT; }

} // namespace tagscope::test
