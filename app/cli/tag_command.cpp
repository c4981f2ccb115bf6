// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/tag_command.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include "app/cli/audio_inputs.h"
#include "app/cli/catalog_support.h"
#include "app/cli/model_selection.h"
#include "app/cli/progress_reporter.h"
#include "app/cli/sigint_cancel.h"
#include "core/analysis/serialize.h"
#include "core/analysis/track_prefetcher.h"
#include "core/catalog/path_text.h"
#include "core/catalog/shard.h"
#include "core/io/file_util.h"
#include "core/model/analyzer.h"
#include "core/model/tagger_analyzer.h"
#include "core/tags/tag_vocabulary.h"

namespace tagscope::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr size_t kDefaultTableTop = 10;

void printTable(const analysis::TrackAnalysis& a, size_t top, float threshold) {
    std::printf("%s  (%.1f s, %zu chunk%s, model %s)\n", catalog::displayPath(a.file).c_str(), a.durationSeconds,
                a.taggram.chunkCount(), a.taggram.chunkCount() == 1 ? "" : "s", a.modelId.c_str());
    // NOTE: the table is for people: "electronic (MSD)", "ambient (Jamendo genre)"; JSON and CSV
    // keep the raw tag and its vocabulary in separate fields.
    const auto names = tags::displayTagNames(a.tagNames, a.vocabularyOfTag);
    size_t rank = 0;
    for (const auto& t : a.ranked(top, threshold))
        std::printf("  %3zu  %-32s %.3f\n", ++rank, t.index < names.size() ? names[t.index].c_str() : t.name.c_str(),
                    double(t.score));
    if (!a.hierarchy.empty()) {
        std::string groups;
        for (size_t i = 0; i < a.hierarchy.size() && i < 5; ++i) {
            char buf[160];
            const auto& c = a.hierarchy[i];
            const std::string evidence = c.evidenceIndex < names.size() ? names[c.evidenceIndex] : c.evidenceTag;
            std::snprintf(buf, sizeof buf, "%s%s %.2f (%s)", i ? ", " : "", c.group.c_str(), double(c.score),
                          evidence.c_str());
            groups += buf;
        }
        std::printf("  groups: %s\n", groups.c_str());
    }
    for (const auto& w : a.warnings) std::printf("  note: %s\n", w.c_str());
    std::fflush(stdout);
}

/// Files to tag with their path relative to the input they were found in.
struct TagInput {
    fs::path file;
    fs::path relative;
};

std::vector<TagInput> collectInputs(const std::vector<std::string>& inputs, std::vector<Error>& problems) {
    std::vector<TagInput> out;
    for (const auto& input : inputs) {
        std::error_code ec;
        const bool folder = fs::is_directory(input, ec);
        for (auto& f : collectAudioFiles({input}, problems))
            out.push_back({f, folder ? f.lexically_relative(input) : f.filename()});
    }
    return out;
}

/// Taggram CSV names, unique per input path: the path relative to its input folder, flattened
/// ("a/x.flac" -> "a__x.taggram.csv"); a name that still repeats (the same file name given from
/// two folders) gets the FNV-1a hash of its whole path as a suffix ("x-3f2a9c01.taggram.csv").
std::vector<fs::path> taggramNames(const std::vector<TagInput>& inputs) {
    std::vector<std::string> bases;
    std::map<std::string, int> uses;
    for (const auto& in : inputs) {
        std::string base = in.relative.parent_path().empty()
                               ? in.relative.stem().native()
                               : (in.relative.parent_path() / in.relative.stem()).generic_string();
        for (size_t at = base.find('/'); at != std::string::npos; at = base.find('/', at + 2)) base.replace(at, 1, "__");
        ++uses[base];
        bases.push_back(base);
    }
    std::vector<fs::path> out;
    for (size_t i = 0; i < inputs.size(); ++i) {
        std::string name = bases[i];
        if (uses[name] > 1) {
            char hash[16];
            std::snprintf(hash, sizeof hash, "-%08x", unsigned(catalog::shardOf(inputs[i].file, 0x7fffffff)));
            name += hash;
        }
        out.emplace_back(name + ".taggram.csv");
    }
    return out;
}

/// Seconds from the start of a file to its end (decode and model overlap when streaming).
double streamedSeconds(const ProgressReporter& progress) {
    double total = 0.0;
    for (const auto& stage : progress.stageSeconds()) total += stage.second;
    return total;
}

std::string dumpJson(const json& j, int indent) { return j.dump(indent, ' ', false, json::error_handler_t::replace); }

} // namespace

void TagCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("tag", "Tag audio files (folders are searched recursively)");
    m_sub->add_option("inputs", m_inputs, "Audio files or folders")->required();
    auto* json = m_sub->add_flag("--json", m_json, "Print the analyses as JSON (taggram, scores, hierarchy)");
    auto* jsonl = m_sub->add_flag("--jsonl", m_jsonl, "Print one JSON record per line as each file finishes (streamed)")
                      ->excludes(json);
    m_sub->add_flag("--csv", m_csv, "Print one CSV row per file and tag (file,model,tag,vocabulary,score,rank)")
        ->excludes(json)
        ->excludes(jsonl);
    m_topOption = m_sub->add_option("--top", m_top, "Tags listed per file (default: 10 in the table, all in JSON/CSV)")
        ->check(CLI::PositiveNumber);
    m_sub->add_option("--threshold", m_threshold, "Only list tags scoring at least this")->check(CLI::Range(0.0, 1.0));
    m_sub->add_option("--catalog", m_catalog,
                      "Also store every analysis in this catalog (as 'scan' does), so a later scan or 'write --catalog' needs no rescan");
    m_sub->add_option("--taggram-csv", m_taggramDir,
                      "Also write each file's taggram into this folder (<relative path, / as __>.taggram.csv)");
}

int TagCommand::run(const GlobalOptions& global) {
    // NOTE: the model comes first: without it nothing can be done, whatever the files.
    auto tagger = loadSelectedModel(global);
    if (!tagger) return kExitModel;

    std::optional<catalog::Catalog> cat;
    std::string modelSha;
    if (!m_catalog.empty()) {
        cat = openCatalogOrReport(m_catalog);
        if (!cat) return kExitSomeFailed;
        auto sha = modelWeightsSha256(tagger->card());
        if (!sha) {
            printError(sha.error());
            return kExitModel;
        }
        modelSha = *sha;
    }

    std::vector<Error> problems;
    const auto inputs = collectInputs(m_inputs, problems);
    for (const auto& p : problems) printError(p);
    if (inputs.empty()) {
        if (problems.empty()) printError("no audio files found in the given folders");
        return kExitSomeFailed;
    }
    model::Analyzer analyzer(tagger);
    model::AnalysisOptions options;
    options.hopSeconds = global.hopSeconds;
    options.resampleQuality = global.resampler;
    const std::string optionsJson = analysisOptionsJson(options);

    std::vector<fs::path> taggramFiles;
    if (!m_taggramDir.empty()) {
        std::error_code ec;
        fs::create_directories(m_taggramDir, ec);
        taggramFiles = taggramNames(inputs);
    }
    const bool machine = m_json || m_jsonl || m_csv;
    const size_t top = m_topOption->count() ? m_top : (machine ? 0 : kDefaultTableTop);
    analysis::ExportOptions exportOptions;
    exportOptions.top = top;
    exportOptions.threshold = m_threshold;
    CancelToken cancel;
    SigintCancel sigint(cancel);
    ProgressReporter progress(stderrIsTerminal());
    json tracks = json::array(), failed = json::array();
    for (const auto& p : problems) failed.push_back({{"reason", catalog::toValidUtf8(p.message)}});
    bool anyFailed = !problems.empty();
    auto reportFailure = [&](const fs::path& file, const Error& error) {
        printError(error);
        json f = json::object();
        putPath(f, "file", file);
        f["reason"] = catalog::toValidUtf8(error.message);
        if (m_jsonl) {
            f["error"] = true;
            std::fputs((dumpJson(f, -1) + "\n").c_str(), stdout);
            std::fflush(stdout);
        }
        failed.push_back(std::move(f));
        anyFailed = true;
    };
    if (m_csv) std::fputs(analysis::tagCsvHeader().c_str(), stdout);

    std::vector<fs::path> files;
    for (const auto& in : inputs) files.push_back(in.file);
    // NOTE: streaming: the decode thread runs ahead (into the next tracks) by a bounded number of
    // samples while the model runs each chunk batch as soon as the blocks have filled it; no
    // track is ever held whole. The track's mel spectrogram is for display only: not computed.
    options.trackMel = false;
    model::TaggerAnalyzer* self = nullptr;
    auto progressFn = progress.callback();
    auto onChunk = [&](const analysis::ChunkPrediction& p) {
        const double d = self ? self->streamInfo().durationSeconds : 0.0;
        progressFn(d > 0.0 ? std::min(1.0, p.endSeconds / d) : 0.0, "model");
    };
    model::TaggerAnalyzer consumer(analyzer, options, onChunk);
    self = &consumer;
    analysis::PrefetchOptions prefetch;
    prefetch.sampleRate = tagger->card().sampleRate;
    prefetch.quality = global.resampler;
    prefetch.hash = cat.has_value(); // the catalog keys analyses by the audio hash
    prefetch.stream = true;
    analysis::TrackPrefetcher prefetcher(files, prefetch, &cancel);
    for (size_t next = 0; next < files.size(); ++next) {
        progress.begin(files[next].filename().string(), next, files.size());
        auto t = prefetcher.nextInto(consumer, &cancel);
        progress.end();
        if (!t) break;
        const size_t i = t->index;
        if (!catalog::isValidUtf8(files[i].native()))
            std::fprintf(stderr, "tagscope-cli: note: %s: the file name is not valid UTF-8; JSON gives it as \"file\" with "
                                 "U+FFFD and exactly as \"file_bytes_hex\", CSV as its raw bytes\n",
                         catalog::displayPath(files[i]).c_str());
        if (!t->audio) {
            if (t->audio.error().kind == Error::Kind::Cancelled || cancel.isCancelled()) break;
            reportFailure(files[i], Error::make(t->audio.error().kind, files[i], t->audio.error().message));
            continue;
        }
        auto result = consumer.takeResult();
        if (!result) {
            reportFailure(files[i], Error::make(Error::Kind::Internal, files[i], "the model gave no result"));
            continue;
        }
        result->file = files[i];
        if (cat) {
            auto track = catalog::statTrackFile(absoluteInput(files[i]));
            if (track) {
                track->audioHash = t->audioHash;
                auto ok = cat->storeAnalysis(*track, {t->audioHash, modelSha, optionsJson}, *result,
                                             catalog::evidenceFromTaggram(*result));
                if (!ok) track = fail(ok.error());
            }
            if (!track) {
                printError(track.error());
                anyFailed = true;
            }
        }
        if (global.timings)
            std::fprintf(stderr, "tagscope-cli: timings: %s: decode and model streamed together %.2f s (decode thread %.2f s)\n",
                         catalog::displayPath(files[i]).c_str(), streamedSeconds(progress), t->decodeSeconds);
        if (!taggramFiles.empty()) {
            const auto out = fs::path(m_taggramDir) / taggramFiles[i];
            if (auto ok = io::writeFileAtomically(out, analysis::taggramCsv(*result)); !ok) {
                printError(ok.error());
                anyFailed = true;
            }
        }
        if (m_json || m_jsonl) {
            json record = analysis::toJson(*result, &tagger->card(), {}, exportOptions);
            putPath(record, "file", files[i]);
            if (m_jsonl) {
                std::fputs((dumpJson(record, -1) + "\n").c_str(), stdout);
                std::fflush(stdout);
            } else {
                tracks.push_back(std::move(record));
            }
        } else if (m_csv) {
            std::fputs(analysis::tagCsvRows(*result, top, m_threshold).c_str(), stdout);
            std::fflush(stdout);
        } else {
            printTable(*result, top, m_threshold);
        }
    }
    const bool cancelled = cancel.isCancelled();
    if (m_json) {
        json doc = {{"schema_version", analysis::kSchemaVersion}, {"tracks", tracks}, {"failed", failed}};
        if (cancelled) doc["interrupted"] = true;
        std::cout << dumpJson(doc, 2) << std::endl;
    }
    std::fflush(stdout);
    if (cancelled) {
        printError("cancelled");
        return kExitCancelled;
    }
    return anyFailed ? kExitSomeFailed : kExitOk;
}

} // namespace tagscope::cli
