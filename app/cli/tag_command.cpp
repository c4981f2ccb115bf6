// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/tag_command.h"

#include <cstdio>
#include <iostream>

#include "app/cli/audio_inputs.h"
#include "app/cli/model_selection.h"
#include "app/cli/progress_reporter.h"
#include "app/cli/sigint_cancel.h"
#include "core/analysis/serialize.h"
#include "core/io/file_util.h"
#include "core/model/analyzer.h"
#include "core/tags/tag_vocabulary.h"

namespace tagscope::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr size_t kDefaultTableTop = 10;

void printTable(const analysis::TrackAnalysis& a, size_t top, float threshold) {
    std::printf("%s  (%.1f s, %zu chunk%s, model %s)\n", a.file.string().c_str(), a.durationSeconds,
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

} // namespace

void TagCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("tag", "Tag audio files (folders are searched recursively)");
    m_sub->add_option("inputs", m_inputs, "Audio files or folders")->required();
    auto* json = m_sub->add_flag("--json", m_json, "Print the analyses as JSON (taggram, scores, hierarchy)");
    m_sub->add_flag("--csv", m_csv, "Print one CSV row per file and tag (file,model,tag,vocabulary,score,rank)")
        ->excludes(json);
    m_topOption = m_sub->add_option("--top", m_top, "Tags listed per file (default: 10 in the table, all in JSON/CSV)")
        ->check(CLI::PositiveNumber);
    m_sub->add_option("--threshold", m_threshold, "Only list tags scoring at least this")->check(CLI::Range(0.0, 1.0));
    m_sub->add_option("--taggram-csv", m_taggramDir, "Also write each file's taggram as <folder>/<name>.taggram.csv");
}

int TagCommand::run(const GlobalOptions& global) {
    // NOTE: the model comes first: without it nothing can be done, whatever the files.
    auto tagger = loadSelectedModel(global);
    if (!tagger) return kExitModel;

    std::vector<Error> problems;
    const auto files = collectAudioFiles(m_inputs, problems);
    for (const auto& p : problems) printError(p);
    if (files.empty()) {
        if (problems.empty()) printError("no audio files found in the given folders");
        return kExitSomeFailed;
    }
    model::Analyzer analyzer(tagger);
    model::AnalysisOptions options;
    options.hopSeconds = global.hopSeconds;
    options.resampleQuality = global.resampler;

    if (!m_taggramDir.empty()) {
        std::error_code ec;
        fs::create_directories(m_taggramDir, ec);
    }
    const size_t top = m_topOption->count() ? m_top : ((m_json || m_csv) ? 0 : kDefaultTableTop);
    CancelToken cancel;
    SigintCancel sigint(cancel);
    ProgressReporter progress(stderrIsTerminal());
    json tracks = json::array(), failed = json::array();
    for (const auto& p : problems) failed.push_back({{"reason", p.message}});
    bool anyFailed = !problems.empty();
    if (m_csv) std::fputs(analysis::tagCsvHeader().c_str(), stdout);

    for (size_t i = 0; i < files.size(); ++i) {
        progress.begin(files[i].filename().string(), i, files.size());
        auto result = analyzer.analyzeFile(files[i], options, progress.callback(), &cancel);
        progress.end();
        if (!result) {
            if (result.error().kind == Error::Kind::Cancelled || cancel.isCancelled()) {
                printError("cancelled");
                return kExitCancelled;
            }
            printError(result.error());
            failed.push_back({{"file", files[i].string()}, {"reason", result.error().message}});
            anyFailed = true;
            continue;
        }
        if (global.timings)
            std::fprintf(stderr, "tagscope-cli: timings: %s: %s\n", files[i].string().c_str(), progress.timingLine().c_str());
        if (!m_taggramDir.empty()) {
            const auto out = fs::path(m_taggramDir) / (files[i].stem().string() + ".taggram.csv");
            if (auto ok = io::writeFileAtomically(out, analysis::taggramCsv(*result)); !ok) {
                printError(ok.error());
                anyFailed = true;
            }
        }
        if (m_json) {
            analysis::ExportOptions exportOptions;
            exportOptions.top = top;
            exportOptions.threshold = m_threshold;
            tracks.push_back(analysis::toJson(*result, &tagger->card(), {}, exportOptions));
        } else if (m_csv) {
            std::fputs(analysis::tagCsvRows(*result, top, m_threshold).c_str(), stdout);
            std::fflush(stdout);
        } else {
            printTable(*result, top, m_threshold);
        }
    }
    if (m_json) {
        const json doc = {{"schema_version", analysis::kSchemaVersion}, {"tracks", tracks}, {"failed", failed}};
        std::cout << doc.dump(2) << std::endl;
    }
    return anyFailed ? kExitSomeFailed : kExitOk;
}

} // namespace tagscope::cli
