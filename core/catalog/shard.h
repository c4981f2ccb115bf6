// SPDX-License-Identifier: GPL-3.0-or-later
// Deterministic partition of a library into N shards (`--shard i/N`), so N machines or the
// tasks of a cluster array job each fill their own catalog; `catalog merge` combines them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/common/error.h"

namespace tagscope::catalog {

/// Shard `index` of `count` (0 <= index < count).
struct Shard {
    int index = 0;
    int count = 1;
};

/// Parses "i/N" (0-based i, e.g. "0/4" ... "3/4"). Errors say what a valid value looks like.
Result<Shard> parseShard(const std::string& text);

/// The shard a track belongs to: FNV-1a (64 bit) of its path relative to the library root
/// (generic '/' separators, exact bytes) modulo N. The same library gives the same partition
/// on every machine, wherever the library is mounted.
int shardOf(const std::filesystem::path& relativePath, int count);

/// True when `relativePath` belongs to `shard`.
inline bool inShard(const std::filesystem::path& relativePath, const Shard& shard) {
    return shardOf(relativePath, shard.count) == shard.index;
}

} // namespace tagscope::catalog
