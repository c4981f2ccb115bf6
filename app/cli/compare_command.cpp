// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/compare_command.h"

#include <cstdio>
#include <iostream>

#include "app/cli/model_selection.h"
#include "app/cli/progress_reporter.h"
#include "app/cli/sigint_cancel.h"
#include "core/analysis/explanation_json.h"
#include "core/model/analyzer.h"

namespace tagscope::cli {
namespace {

std::string fixed(double v, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

/// One model's analysis of a file and the occlusion of all its tags.
struct Side {
    analysis::TrackAnalysis analysis;
    std::optional<analysis::OcclusionRelevance> occlusion;
};

Result<Side> analyse(const std::shared_ptr<model::Tagger>& tagger, const std::string& file, const GlobalOptions& global,
                     bool evidence, double segmentSeconds, ProgressReporter& progress, const CancelToken& cancel) {
    model::Analyzer analyzer(tagger);
    model::AnalysisOptions options;
    options.hopSeconds = global.hopSeconds;
    options.resampleQuality = global.resampler;
    options.attention = false;
    audio::AudioBuffer audio;
    auto result = analyzer.analyzeFile(file, options, progress.callback(), &cancel, {}, &audio);
    if (!result) return fail(result.error());
    Side side{std::move(*result), std::nullopt};
    if (evidence) {
        auto occ = analyzer.occlusion(side.analysis, audio, segmentSeconds, progress.callback(), &cancel);
        if (!occ) return fail(occ.error());
        side.occlusion = std::move(*occ);
    }
    return side;
}

} // namespace

std::string comparisonTable(const std::string& file, const analysis::ModelComparison& m, size_t top) {
    std::string out = "file: " + file + "\nmodels: A = " + m.modelA + ", B = " + m.modelB + "\n";
    out += "aligned tags: " + std::to_string(m.tags.size()) + ", Spearman rank correlation: " + fixed(m.rankCorrelation, 3);
    if (m.meanEvidenceOverlap)
        out += ", evidence overlap (Jaccard of top " + std::to_string(m.topSegments) + " segments, top " +
               std::to_string(m.overlapRows) + " tags): " + fixed(*m.meanEvidenceOverlap, 3);
    out += "\ntag\tkind\tscore_a\tscore_b\tevidence_overlap\n";
    for (size_t i = 0; i < m.tags.size() && (top == 0 || i < top); ++i) {
        const auto& r = m.tags[i];
        out += r.name + "\t" + r.kind + "\t" + fixed(r.scoreA, 3) + "\t" + fixed(r.scoreB, 3) + "\t" +
               (r.evidenceOverlap ? fixed(*r.evidenceOverlap, 2) : std::string("-")) + "\n";
    }
    return out;
}

void CompareCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("compare", "Compare two models on the same audio files (table or JSON on stdout)");
    m_sub->add_option("--model", m_models, "The two models to compare (give --model twice: id or card path)")
        ->allow_extra_args(false)->required();
    m_sub->add_option("files", m_files, "Audio files")->required();
    m_sub->add_flag("--json", m_json, "JSON instead of a table");
    m_sub->add_flag("--no-evidence", m_noEvidence, "Skip the occlusion of every tag (no evidence overlap; faster)");
    m_sub->add_option("--segment", m_segmentSeconds, "Segment length in seconds of the evidence (occlusion)")
        ->check(CLI::Range(0.25, 10.0));
    m_sub->add_option("--top", m_top, "Rows of the table (0 = all)");
}

int CompareCommand::run(const GlobalOptions& global) {
    if (m_models.size() != 2) {
        printError("compare needs exactly two models (--model A --model B), got " + std::to_string(m_models.size()));
        return kExitUsage;
    }
    std::vector<std::shared_ptr<model::Tagger>> taggers;
    for (const auto& id : m_models) {
        GlobalOptions one = global;
        one.model = id;
        auto tagger = loadSelectedModel(one);
        if (!tagger) return kExitModel;
        taggers.push_back(std::move(tagger));
    }
    CancelToken cancel;
    SigintCancel sigint(cancel);
    ProgressReporter progress(stderrIsTerminal());
    nlohmann::json docs = nlohmann::json::array();
    int exit = kExitOk;
    for (size_t f = 0; f < m_files.size(); ++f) {
        progress.begin(std::filesystem::path(m_files[f]).filename().string(), f, m_files.size());
        std::vector<Side> sides;
        for (const auto& tagger : taggers) {
            auto side = analyse(tagger, m_files[f], global, !m_noEvidence, m_segmentSeconds, progress, cancel);
            if (!side) {
                progress.end();
                printError(side.error());
                if (side.error().kind == Error::Kind::Cancelled) return kExitCancelled;
                exit = kExitSomeFailed;
                break;
            }
            sides.push_back(std::move(*side));
        }
        progress.end();
        if (sides.size() != 2) continue;
        const auto m = analysis::compareAnalyses(sides[0].analysis, sides[1].analysis,
                                                 sides[0].occlusion ? &*sides[0].occlusion : nullptr,
                                                 sides[1].occlusion ? &*sides[1].occlusion : nullptr);
        if (m_json) {
            auto j = analysis::comparisonToJson(m, sides[0].analysis, sides[1].analysis);
            j["file"] = m_files[f];
            docs.push_back(std::move(j));
        } else {
            std::cout << (f ? "\n" : "") << comparisonTable(m_files[f], m, m_top) << std::flush;
        }
    }
    if (m_json) std::cout << nlohmann::json{{"comparisons", docs}}.dump(2) << std::endl;
    return exit;
}

} // namespace tagscope::cli
