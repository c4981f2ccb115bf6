// SPDX-License-Identifier: GPL-3.0-or-later
// Where tests find reference material (../shared, read in place) and scratch space.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace tagscope::test {

/// ../shared, or $TAGSCOPE_SHARED when set.
std::filesystem::path sharedDir();
inline std::filesystem::path sharedPath(const std::string& rel) { return sharedDir() / rel; }
/// The source tree (for the bundled models/ and resources/).
std::filesystem::path sourceDir();
/// The build tree (scratch space lives under it).
std::filesystem::path binaryDir();

/// A fresh empty directory for one test, under the build tree.
inline std::filesystem::path scratchDir(const std::string& name) {
    auto d = binaryDir() / "test-scratch" / name;
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
}

} // namespace tagscope::test

/// Skips the test when a ../shared file is absent, except under CI (CI=true), where the
/// reference material must be present and its absence is a failure.
#define TAGSCOPE_REQUIRE_SHARED(rel)                                                       \
    do {                                                                                   \
        const auto p_ = ::tagscope::test::sharedPath(rel);                                 \
        if (!std::filesystem::exists(p_)) {                                                \
            const char* ci_ = std::getenv("CI");                                           \
            if (ci_ && std::string(ci_) == "true") FAIL() << "missing reference file " << p_; \
            GTEST_SKIP() << "reference file not present: " << p_;                          \
        }                                                                                  \
    } while (0)
