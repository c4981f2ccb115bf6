// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/write_command.h"

#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "app/cli/model_selection.h"
#include "app/cli/sigint_cancel.h"
#include "core/cards/model_card.h"
#include "core/tagfile/safe_writer.h"
#include "core/tagfile/track_source.h"

namespace tagscope::cli {
namespace {

namespace fs = std::filesystem;
using namespace tagscope::tagfile;

/// True when `file` is one of `inputs` or lies under one of them (no inputs: every file).
bool selected(const fs::path& file, const std::vector<std::string>& inputs) {
    if (inputs.empty()) return true;
    std::error_code ec;
    const fs::path f = fs::weakly_canonical(file, ec);
    for (const auto& in : inputs) {
        const fs::path p = fs::weakly_canonical(in, ec);
        const auto rel = f.lexically_relative(p);
        if (f == p || (!rel.empty() && *rel.begin() != ".."))
            return true;
    }
    return false;
}

/// The taxonomy of the model that made the analysis, from its installed card (empty when the
/// model is not installed or has none; a warning says what that means).
std::optional<tags::Taxonomy> taxonomyFor(const std::string& modelId) {
    for (const auto& card : cards::discoverModelCards(cards::defaultModelDirectories())) {
        if (card.id != modelId || !card.taxonomyPath) continue;
        if (auto t = tags::loadTaxonomy(*card.taxonomyPath)) return *t;
    }
    printError("warning: no tag groups found for model '" + modelId +
               "' (is it installed?): only MTG-Jamendo genre/mood tags can go into GENRE and MOOD");
    return std::nullopt;
}

void printOutcome(const WriteOutcome& o) {
    const bool quiet = o.message.empty() || o.status == WriteStatus::Written;
    std::printf("%s: %s%s%s\n", statusName(o.status), o.file.c_str(), quiet ? "" : ": ", quiet ? "" : o.message.c_str());
    std::fflush(stdout);
}

} // namespace

void WriteCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("write", "Write analysed tags into the audio files (GENRE, MOOD and a TAGSCOPE field), after review");
    m_sub->add_option("inputs", m_inputs, "Only these files or folders (default: every analysed file)");
    m_sub->add_option("--from-json,--from-jsonl", m_fromJson,
                      "Analyses to write, as printed by 'tagscope-cli tag --json' (a document or JSON lines)");
    auto* dry = m_sub->add_flag("--dry-run", m_dryRun, "Print the per-file diff of every field and change nothing (default)");
    auto* apply = m_sub->add_flag("--apply", m_apply, "Write the tags (safely: verified copy, journal, atomic rename)");
    auto* undo = m_sub->add_option("--undo", m_undo, "Put back the fields a write batch changed, from its journal");
    dry->excludes(apply);
    undo->excludes(dry)->excludes(apply);
    m_sub->add_option("--journal", m_journal, "Journal of this batch (default: ~/.local/share/tagscope/journals/write-<time>.jsonl)");
    m_sub->add_option("--policy", m_policy, "append: keep the file's GENRE/MOOD values and add ours; replace: only ours")
        ->check(CLI::IsMember({"append", "replace"}))->capture_default_str();
    m_sub->add_option("--min", m_min, "Write a tag when its track score is at least this")->check(CLI::Range(0.0, 1.0))->capture_default_str();
    m_sub->add_option("--top", m_top, "At most this many of our values per field")->capture_default_str();
}

int WriteCommand::runUndo() {
    auto journal = readJournal(m_undo);
    if (!journal) return printError(journal.error()), kExitSomeFailed;
    if (journal->damagedLines)
        printError(m_undo + ": " + std::to_string(journal->damagedLines) +
                   " incomplete line(s) ignored (a write interrupted before it replaced its file)");
    CancelToken cancel;
    SigintCancel sigint(cancel);
    bool anyFailed = false;
    size_t restored = 0;
    // NOTE: an entry whose file a later entry found still in the same original state never
    // replaced its file (the batch was interrupted before the rename): nothing to undo.
    std::map<fs::path, std::set<std::string>> laterOriginals;
    for (auto it = journal->entries.rbegin(); it != journal->entries.rend(); ++it) {
        if (sigint.interrupted()) return printError("cancelled"), kExitCancelled;
        auto& later = laterOriginals[it->file];
        if (later.count(it->originalSha256)) {
            printOutcome({it->file, WriteStatus::Unchanged, "this write was interrupted before it replaced the file"});
            continue;
        }
        later.insert(it->originalSha256);
        const WriteOutcome o = undoEntry(*it);
        printOutcome(o);
        restored += o.status == WriteStatus::Written;
        anyFailed = anyFailed || o.status == WriteStatus::Failed || o.status == WriteStatus::Skipped;
    }
    std::printf("undo: %zu file(s) restored of %zu in the journal\n", restored, journal->entries.size());
    return anyFailed ? kExitSomeFailed : kExitOk;
}

int WriteCommand::run(const GlobalOptions&) {
    if (!m_undo.empty()) return runUndo();
    if (m_fromJson.empty()) {
        printError("write: say where the tags come from: --from-json FILE (the output of 'tagscope-cli tag --json')");
        return kExitUsage;
    }
    auto tracks = loadTrackTagsJson(m_fromJson);
    if (!tracks) return printError(tracks.error()), kExitSomeFailed;

    WriteOptions options;
    options.policy = m_policy == "replace" ? WritePolicy::Replace : WritePolicy::Append;
    options.minScore = m_min;
    options.top = m_top;
    std::map<std::string, std::optional<tags::Taxonomy>> taxonomies;
    std::vector<FilePlan> plans;
    for (const auto& t : *tracks) {
        if (!selected(t.file, m_inputs)) continue;
        if (!taxonomies.count(t.modelId)) taxonomies[t.modelId] = taxonomyFor(t.modelId);
        const auto& tax = taxonomies[t.modelId];
        plans.push_back(planWrite(t, tax ? &*tax : nullptr, options));
    }
    if (plans.empty()) {
        printError("write: none of the given files is in " + m_fromJson);
        return kExitSomeFailed;
    }

    size_t changing = 0, skipped = 0;
    for (const auto& p : plans) {
        changing += p.hasChanges();
        skipped += !p.skipReason.empty();
    }
    if (!m_apply) {
        for (const auto& p : plans) std::fputs(formatDiff(p).c_str(), stdout);
        std::printf("dry run: %zu file(s) would change, %zu unchanged, %zu skipped; nothing was written (use --apply)\n",
                    changing, plans.size() - changing - skipped, skipped);
        return skipped ? kExitSomeFailed : kExitOk;
    }

    std::set<fs::path> folders;
    for (const auto& p : plans) folders.insert(p.file.parent_path());
    for (const auto& f : folders)
        if (const size_t n = removeStaleTemps(f))
            printError("removed " + std::to_string(n) + " temporary file(s) left in " + f.string() + " by an interrupted write");

    const fs::path journalPath = m_journal.empty() ? defaultJournalPath() : fs::path(m_journal);
    std::optional<WriteJournal> journal;
    if (changing) {
        auto j = WriteJournal::open(journalPath);
        if (!j) return printError(j.error()), kExitSomeFailed;
        journal.emplace(std::move(*j));
    }
    CancelToken cancel;
    SigintCancel sigint(cancel);
    size_t written = 0;
    bool anyFailed = false;
    for (const auto& p : plans) {
        if (sigint.interrupted()) {
            printError("cancelled: the files written so far are listed in " + journalPath.string());
            return kExitCancelled;
        }
        const WriteOutcome o = applyPlan(p, journal ? &*journal : nullptr);
        printOutcome(o);
        written += o.status == WriteStatus::Written;
        anyFailed = anyFailed || o.status == WriteStatus::Failed || o.status == WriteStatus::Skipped;
    }
    std::printf("write: %zu file(s) written, %zu unchanged or skipped\n", written, plans.size() - written);
    if (written) std::printf("journal: %s (undo with: tagscope-cli write --undo %s)\n", journalPath.c_str(), journalPath.c_str());
    return anyFailed ? kExitSomeFailed : kExitOk;
}

} // namespace tagscope::cli
