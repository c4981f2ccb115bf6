// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/catalog/shard.h"

#include <charconv>

namespace tagscope::catalog {

Result<Shard> parseShard(const std::string& text) {
    const auto slash = text.find('/');
    Shard s;
    auto bad = [&] {
        return fail(Error::Kind::InvalidInput, {}, "--shard '" + text + "': expected i/N with 0 <= i < N, e.g. 0/4");
    };
    if (slash == std::string::npos) return bad();
    const char* b = text.data();
    auto r1 = std::from_chars(b, b + slash, s.index);
    auto r2 = std::from_chars(b + slash + 1, b + text.size(), s.count);
    if (r1.ec != std::errc() || r1.ptr != b + slash || r2.ec != std::errc() || r2.ptr != b + text.size()) return bad();
    if (s.count < 1 || s.index < 0 || s.index >= s.count) return bad();
    return s;
}

int shardOf(const std::filesystem::path& relativePath, int count) {
    if (count <= 1) return 0;
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : relativePath.generic_string()) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return int(h % uint64_t(count));
}

} // namespace tagscope::catalog
