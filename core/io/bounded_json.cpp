// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/bounded_json.h"

#include <algorithm>

#include "core/io/file_size_limit.h"

namespace tagscope::io {

int jsonNestingDepth(std::string_view text, int limit) {
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\') ++i;
            else if (c == '"') inString = false;
            continue;
        }
        if (c == '"') inString = true;
        else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest >= limit) return deepest;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

Result<nlohmann::json> parseBoundedJson(std::string_view text, const std::filesystem::path& file,
                                        const std::string& what) {
    if (jsonNestingDepth(text) > kMaxJsonDepth)
        return fail(Error::Kind::InvalidInput, file,
                    what + " is nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const std::exception& e) {
        return fail(Error::Kind::InvalidInput, file, what + " is not valid JSON: " + e.what());
    }
}

Result<void> checkFileSizeAtMost(const std::filesystem::path& path, uintmax_t maxBytes, const std::string& what) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size <= maxBytes) return {};
    return fail(Error::Kind::InvalidInput, path,
                "is " + std::to_string(size) + " bytes, larger than a " + what + " can be (" +
                    std::to_string(maxBytes) + " bytes at most)");
}

} // namespace tagscope::io
