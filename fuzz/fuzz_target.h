// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzz targets: one function per parser, fed arbitrary bytes. Each target is linked into its own
// libFuzzer executable (fuzz_main.cpp) and into the core tests, which replay the committed
// crash inputs in fuzz/regressions/<target>/ through the same function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace tagscope::fuzz {

/// Runs one input through a parser; must never crash, leak or throw. Invariants a successful
/// parse must hold are checked with TAGSCOPE_FUZZ_CHECK (which aborts, so the fuzzer reports it).
using TargetFn = void (*)(std::string_view bytes);

/// A registered fuzz target.
struct Target {
    const char* name;
    TargetFn run;
};

/// Every target linked into this executable (registered by TAGSCOPE_FUZZ_TARGET).
std::vector<Target>& targets();

/// Registers `run` under `name` at static-initialisation time; returns true.
bool registerTarget(const char* name, TargetFn run);

/// A private, empty-at-first folder for targets that need real files (SQLite, TagLib's writer):
/// created once per process under $TMPDIR and removed at exit. Targets clear what they leave.
const std::filesystem::path& scratchFolder();

/// Writes `bytes` to `path` (replacing it); aborts when the scratch disk fails.
void writeScratchFile(const std::filesystem::path& path, std::string_view bytes);

/// Aborts with a message naming the target's violated invariant.
[[noreturn]] void invariantFailed(const char* expression, const char* file, int line);

} // namespace tagscope::fuzz

/// Aborts (a finding for the fuzzer) when `cond` is false.
#define TAGSCOPE_FUZZ_CHECK(cond) \
    do { if (!(cond)) ::tagscope::fuzz::invariantFailed(#cond, __FILE__, __LINE__); } while (0)

/// Defines and registers a fuzz target: TAGSCOPE_FUZZ_TARGET(name) { ... uses `bytes` ... }
#define TAGSCOPE_FUZZ_TARGET(name)                                                                 \
    static void tagscopeFuzz_##name(std::string_view bytes);                                      \
    [[maybe_unused]] static const bool tagscopeFuzzRegistered_##name =                            \
        ::tagscope::fuzz::registerTarget(#name, &tagscopeFuzz_##name);                             \
    static void tagscopeFuzz_##name(std::string_view bytes)
