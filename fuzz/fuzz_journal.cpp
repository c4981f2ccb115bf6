// SPDX-License-Identifier: GPL-3.0-or-later
// The two files `tagscope-cli write` reads: a write journal (--undo, JSON lines cut anywhere by
// a crash) and an analysis export (--from-json: `tag --json` or `--jsonl` output).
#include "core/tagfile/track_source.h"
#include "core/tagfile/write_journal.h"
#include "fuzz/fuzz_target.h"

TAGSCOPE_FUZZ_TARGET(journal) {
    using namespace tagscope;
    const auto file = fuzz::scratchFolder() / "fuzzed.jsonl";
    fuzz::writeScratchFile(file, bytes);

    if (auto journal = tagfile::readJournal(file)) {
        for (const auto& entry : journal->entries) {
            // An entry read back is written and read again unchanged (undo relies on it).
            const auto json = tagfile::journalEntryToJson(entry);
            auto again = tagfile::journalEntryFromJson(json, "round trip");
            TAGSCOPE_FUZZ_CHECK(again.has_value());
            TAGSCOPE_FUZZ_CHECK(tagfile::journalEntryToJson(*again) == json);
        }
    } else {
        TAGSCOPE_FUZZ_CHECK(!journal.error().message.empty());
    }

    if (auto tracks = tagfile::loadTrackTagsJson(file)) {
        for (const auto& t : *tracks) TAGSCOPE_FUZZ_CHECK(t.tagNames.size() == t.scores.size());
    } else {
        TAGSCOPE_FUZZ_CHECK(!tracks.error().message.empty());
    }
}
