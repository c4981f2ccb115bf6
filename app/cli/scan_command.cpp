// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/scan_command.h"

#include <chrono>
#include <cstdio>
#include <set>

#include "app/cli/audio_inputs.h"
#include "app/cli/catalog_support.h"
#include "app/cli/model_selection.h"
#include "app/cli/sigint_cancel.h"
#include "core/analysis/audio_hash_analyzer.h"
#include "core/analysis/track_prefetcher.h"
#include "core/catalog/shard.h"
#include "core/model/tagger_analyzer.h"

namespace tagscope::cli {

namespace fs = std::filesystem;

namespace {

/// Counts of one scan, printed as its summary.
struct ScanCounts {
    size_t files = 0, upToDate = 0, analysed = 0, recognised = 0, failed = 0, removed = 0, otherShards = 0;
};

/// One progress line per finished track on stderr: position, tracks/min, ETA.
class ScanProgress {
public:
    explicit ScanProgress(size_t total) : m_total(total), m_start(std::chrono::steady_clock::now()) {}
    void done(size_t finished, const fs::path& file, const char* what) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        const double perMinute = elapsed > 0.0 ? 60.0 * double(finished) / elapsed : 0.0;
        const double eta = finished ? elapsed / double(finished) * double(m_total - finished) : -1.0;
        std::fprintf(stderr, "tagscope-cli: scan [%zu/%zu] %3.0f%%  %.1f tracks/min  ETA %s  %s: %s\n", finished, m_total,
                     m_total ? 100.0 * double(finished) / double(m_total) : 100.0, perMinute, clockText(eta).c_str(), what,
                     catalog::displayPath(file).c_str());
        std::fflush(stderr);
    }

private:
    size_t m_total;
    std::chrono::steady_clock::time_point m_start;
};

bool underRoot(const fs::path& file, const std::vector<fs::path>& roots) {
    const std::string& f = file.native();
    for (const auto& r : roots) {
        std::string prefix = r.native();
        if (!prefix.empty() && prefix.back() != '/') prefix += '/';
        if (f.rfind(prefix, 0) == 0) return true;
    }
    return false;
}

} // namespace

void ScanCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("scan", "Analyse library folders into the catalog (resumable; unchanged files are skipped)");
    m_sub->add_option("library", m_roots, "Library folders (or files)")->required();
    addCatalogOption(m_sub, m_catalog);
    m_sub->add_option("--shard", m_shard,
                      "Only the files of shard i of N (i/N, 0 <= i < N), partitioned by the path relative to the library folder");
    m_sub->add_flag("--keep-missing", m_keepMissing, "Keep catalog rows of files that no longer exist under the library folders");
}

int ScanCommand::run(const GlobalOptions& global) {
    std::optional<catalog::Shard> shard;
    if (!m_shard.empty()) {
        auto s = catalog::parseShard(m_shard);
        if (!s) {
            printError(s.error());
            return kExitUsage;
        }
        shard = *s;
    }
    auto cat = openCatalogOrReport(m_catalog);
    if (!cat) return kExitSomeFailed;
    auto tagger = loadSelectedModel(global);
    if (!tagger) return kExitModel;
    auto sha = modelWeightsSha256(tagger->card());
    if (!sha) {
        printError(sha.error());
        return kExitModel;
    }
    model::AnalysisOptions options;
    options.hopSeconds = global.hopSeconds;
    options.resampleQuality = global.resampler;
    options.attention = false; // NOTE: the catalog stores no attention maps; skip computing them.
    const std::string optionsJson = analysisOptionsJson(options);

    std::vector<Error> problems;
    const auto found = collectLibraryFiles(m_roots, problems);
    for (const auto& p : problems) printError(p);
    ScanCounts counts;
    counts.failed = problems.size();

    CancelToken cancel;
    SigintCancel sigint(cancel);

    // Sizes of catalogued files that are gone from disk: a file of such a size at a new path may
    // be one of them, moved (a move keeps every byte).
    std::set<int64_t> missingSizes;
    if (auto rows = cat->tracks()) {
        std::error_code ec;
        for (const auto& row : *rows)
            if (!fs::exists(row.path, ec)) missingSizes.insert(row.size);
    }

    // Plan: which files need decoding (new, changed, or analysed with other weights/options).
    // Files that are probably known audio (a catalogued file changed in place, e.g. retagged by
    // another program, or a new path with the size of a missing file) are hashed first (one
    // decode, no model) and recognised without running the model.
    std::vector<fs::path> work, hashFirst;
    std::vector<catalog::TrackFile> workStat, hashFirstStat;
    for (const auto& f : found) {
        if (shard && !catalog::inShard(f.relative, *shard)) {
            ++counts.otherShards;
            continue;
        }
        ++counts.files;
        auto st = catalog::statTrackFile(f.path);
        if (!st) {
            printError(st.error());
            ++counts.failed;
            continue;
        }
        auto row = cat->track(f.path);
        if (!row) {
            printError(row.error());
            return kExitSomeFailed;
        }
        bool probablyKnown = !*row && missingSizes.count(st->size) > 0;
        if (*row) {
            // NOTE: an unchanged file's stored hash is its audio's: no need to hash it again. A
            // changed one is worth hashing first only if its old audio has this model's analysis.
            const bool unchanged = (*row)->size == st->size && (*row)->mtimeNs == st->mtimeNs;
            auto has = cat->hasAnalysis({(*row)->audioHash, *sha, optionsJson});
            const bool analysed = has && *has;
            if (unchanged && analysed) {
                ++counts.upToDate;
                continue;
            }
            probablyKnown = !unchanged && analysed;
        }
        (probablyKnown ? hashFirst : work).push_back(f.path);
        (probablyKnown ? hashFirstStat : workStat).push_back(*st);
    }
    for (size_t i = 0; i < hashFirst.size() && !cancel.isCancelled(); ++i) {
        analysis::AudioHashAnalyzer hasher;
        analysis::AudioAnalyzer* analyzers[] = {&hasher};
        if (auto ok = analysis::runAnalyzers(hashFirst[i], analyzers, {}, {}, &cancel); !ok) {
            if (ok.error().kind == Error::Kind::Cancelled) break;
            work.push_back(hashFirst[i]); // the analysis reports what is wrong with the file
            workStat.push_back(hashFirstStat[i]);
            continue;
        }
        catalog::TrackFile track = hashFirstStat[i];
        track.audioHash = hasher.hash();
        auto known = cat->hasAnalysis({track.audioHash, *sha, optionsJson});
        if (known && *known) {
            if (auto ok = cat->putTrack(track); !ok) {
                printError(ok.error());
                return kExitSomeFailed;
            }
            ++counts.recognised;
            std::fprintf(stderr, "tagscope-cli: scan: known audio (moved or retagged), not analysed again: %s\n",
                         catalog::displayPath(hashFirst[i]).c_str());
            continue;
        }
        work.push_back(hashFirst[i]);
        workStat.push_back(hashFirstStat[i]);
    }
    std::fprintf(stderr,
                 "tagscope-cli: scan: %zu file%s, %zu up to date, %zu recognised by their audio, %zu to analyse "
                 "(model %s, catalog %s)\n",
                 counts.files, counts.files == 1 ? "" : "s", counts.upToDate, counts.recognised, work.size(),
                 tagger->card().id.c_str(), catalog::displayPath(cat->file()).c_str());

    model::Analyzer analyzer(tagger);
    ScanProgress progress(work.size());
    // NOTE: streaming: the model runs each chunk batch as soon as the decoded blocks fill it,
    // the decode thread running ahead by a bounded number of samples; no track is held whole.
    // The audio hash is known only at the end of a track. Probably known files were hashed above;
    // a copy of catalogued audio at a new path (no missing file of its size) is recognised only
    // here, after the model has run on it, and that result is dropped.
    options.trackMel = false;
    model::TaggerAnalyzer consumer(analyzer, options);
    analysis::PrefetchOptions prefetch;
    prefetch.sampleRate = tagger->card().sampleRate;
    prefetch.quality = global.resampler;
    prefetch.stream = true;
    analysis::TrackPrefetcher prefetcher(work, prefetch, &cancel);
    size_t finished = 0;
    bool storeFailed = false;
    while (auto t = prefetcher.nextInto(consumer, &cancel)) {
        ++finished;
        if (!t->audio) {
            if (t->audio.error().kind == Error::Kind::Cancelled || cancel.isCancelled()) break;
            printError(t->audio.error());
            ++counts.failed;
            progress.done(finished, t->file, "failed");
            continue;
        }
        catalog::TrackFile track = workStat[t->index];
        track.audioHash = t->audioHash;
        const catalog::AnalysisKey key{t->audioHash, *sha, optionsJson};
        auto known = cat->hasAnalysis(key);
        if (known && *known) {
            // Same audio already analysed (moved, copied or retagged file): point the path at it.
            if (auto ok = cat->putTrack(track); !ok) {
                printError(ok.error());
                storeFailed = true;
                break;
            }
            ++counts.recognised;
            progress.done(finished, t->file, "known audio");
            continue;
        }
        auto result = consumer.takeResult();
        if (!result) {
            printError(Error::make(Error::Kind::Internal, t->file, "the model gave no result"));
            ++counts.failed;
            progress.done(finished, t->file, "failed");
            continue;
        }
        result->file = t->file;
        if (auto ok = cat->storeAnalysis(track, key, *result, catalog::evidenceFromTaggram(*result)); !ok) {
            printError(ok.error());
            storeFailed = true;
            break;
        }
        ++counts.analysed;
        progress.done(finished, t->file, "analysed");
    }
    const bool cancelled = cancel.isCancelled();
    if (!cancelled && !storeFailed && !m_keepMissing) {
        std::vector<fs::path> roots;
        for (const auto& r : m_roots) roots.push_back(absoluteInput(r));
        if (auto rows = cat->tracks()) {
            std::error_code ec;
            for (const auto& row : *rows)
                if (underRoot(row.path, roots) && !fs::exists(row.path, ec) && cat->removeTrack(row.path)) ++counts.removed;
        }
    }
    std::printf("scan: %zu file%s: %zu analysed, %zu up to date, %zu known audio (moved or retagged), %zu failed, "
                "%zu removed (missing)%s\n",
                counts.files, counts.files == 1 ? "" : "s", counts.analysed, counts.upToDate, counts.recognised, counts.failed,
                counts.removed, cancelled ? ", interrupted" : "");
    if (shard) std::printf("scan: shard %d/%d, %zu files belong to other shards\n", shard->index, shard->count, counts.otherShards);
    std::fflush(stdout);
    if (cancelled) {
        printError("cancelled; every finished track is in the catalog, run the same scan again to continue");
        return kExitCancelled;
    }
    return (counts.failed || storeFailed) ? kExitSomeFailed : kExitOk;
}

} // namespace tagscope::cli
