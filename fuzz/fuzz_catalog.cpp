// SPDX-License-Identifier: GPL-3.0-or-later
// The library catalog opened from a damaged or hostile SQLite file: open (schema check and
// migrations), every read the CLI and the Library window make, and `catalog merge` from it.
#include <filesystem>

#include "core/catalog/catalog.h"
#include "fuzz/fuzz_target.h"

namespace {

void removeDatabase(const std::filesystem::path& db) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        std::filesystem::remove(db.string() + suffix, ec);
}

} // namespace

TAGSCOPE_FUZZ_TARGET(catalog) {
    using namespace tagscope;
    const auto dir = fuzz::scratchFolder();
    const auto db = dir / "fuzzed.sqlite", fresh = dir / "fresh.sqlite";
    removeDatabase(db);
    removeDatabase(fresh);
    fuzz::writeScratchFile(db, bytes);

    if (auto cat = catalog::Catalog::open(db)) {
        TAGSCOPE_FUZZ_CHECK(cat->schemaVersion() == catalog::kCatalogSchemaVersion);
        (void)cat->tracks();
        if (auto lib = cat->library()) {
            for (const auto& entry : *lib) {
                const auto& t = entry.track;
                TAGSCOPE_FUZZ_CHECK(t.tagNames.size() == t.scores.size());
                if (auto a = cat->latestAnalysis(t.path)) {
                    if (*a) TAGSCOPE_FUZZ_CHECK((*a)->tagNames.size() == (*a)->trackScores.size());
                } else {
                    TAGSCOPE_FUZZ_CHECK(!a.error().message.empty());
                }
                (void)cat->evidence({t.audioHash, t.modelSha256, "{}"});
            }
        } else {
            TAGSCOPE_FUZZ_CHECK(!lib.error().message.empty());
        }
    } else {
        TAGSCOPE_FUZZ_CHECK(!cat.error().message.empty());
    }

    // NOTE: merging reads the other file through SQLite's ATTACH, a different code path.
    auto target = catalog::Catalog::open(fresh);
    TAGSCOPE_FUZZ_CHECK(target.has_value());
    auto merged = target->mergeFrom(db);
    if (!merged) TAGSCOPE_FUZZ_CHECK(!merged.error().message.empty());
    TAGSCOPE_FUZZ_CHECK(target->tracks().has_value());
}
