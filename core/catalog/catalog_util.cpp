// SPDX-License-Identifier: GPL-3.0-or-later
// Free helpers of the catalog: file stat, display paths, taggram evidence.
#include <algorithm>
#include <numeric>

#include <sys/stat.h>

#include "core/catalog/catalog.h"
#include "core/catalog/path_text.h"

namespace tagscope::catalog {

Result<TrackFile> statTrackFile(const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return fail(Error::Kind::NotFound, file, "file not found");
    if (!S_ISREG(st.st_mode)) return fail(Error::Kind::InvalidInput, file, "not a regular file");
    TrackFile t;
    t.path = file;
    t.size = int64_t(st.st_size);
    t.mtimeNs = int64_t(st.st_mtim.tv_sec) * 1000000000LL + int64_t(st.st_mtim.tv_nsec);
    return t;
}

std::string displayPath(const std::filesystem::path& path) { return toValidUtf8(path.native()); }

std::vector<EvidenceSegment> evidenceFromTaggram(const analysis::TrackAnalysis& a, size_t tags, size_t perTag) {
    std::vector<EvidenceSegment> out;
    const auto& g = a.taggram;
    if (g.tagCount == 0 || g.chunkCount() == 0 || g.values.size() != g.chunkCount() * g.tagCount) return out;
    for (const auto& ranked : a.ranked(tags)) {
        if (ranked.index >= g.tagCount) continue;
        std::vector<size_t> chunks(g.chunkCount());
        std::iota(chunks.begin(), chunks.end(), size_t(0));
        const size_t k = std::min(perTag, chunks.size());
        std::partial_sort(chunks.begin(), chunks.begin() + std::ptrdiff_t(k), chunks.end(),
                          [&](size_t x, size_t y) { return g.at(x, ranked.index) > g.at(y, ranked.index); });
        for (size_t r = 0; r < k; ++r)
            out.push_back({ranked.index, int(r), g.chunkStartSeconds[chunks[r]], g.chunkEndSeconds[chunks[r]],
                           g.at(chunks[r], ranked.index)});
    }
    return out;
}

} // namespace tagscope::catalog
