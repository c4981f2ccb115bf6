// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/explain_command.h"

#include <cstdio>
#include <iostream>

#include "app/cli/explain_features.h"
#include "app/cli/explanation_image.h"
#include "app/cli/model_selection.h"
#include "app/cli/progress_reporter.h"
#include "app/cli/sigint_cancel.h"
#include "core/analysis/explanation_json.h"
#include "core/analysis/serialize.h"
#include "core/tags/tag_vocabulary.h"
#include "core/model/analyzer.h"

namespace tagscope::cli {
namespace {

std::string fixed(double v, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

} // namespace

std::string faithfulnessTable(const analysis::TrackAnalysis& result,
                              const std::vector<analysis::TagExplanation>& explanations) {
    const auto names = tags::displayTagNames(result.tagNames, result.vocabularyOfTag);
    std::string out = "tag\tscore\tmethod\tbeats_random\tarea_between\tverdict\tshown\n";
    for (const auto& e : explanations) {
        const std::string name = e.tag < names.size() ? names[e.tag] : e.tagName;
        if (e.curves.empty())
            out += name + "\t" + fixed(e.trackScore, 3) + "\t" + e.bestMethod + "\t-\t-\tuntested\tyes\n";
        for (const auto& c : e.curves)
            out += name + "\t" + fixed(e.trackScore, 3) + "\t" + c.method + "\t" + fixed(100.0 * c.shareBeaten, 0) +
                   "%\t" + fixed(c.areaBetween, 4) + "\t" + analysis::verdictName(c.verdict) + "\t" +
                   (c.method == e.bestMethod ? "yes" : "") + "\n";
    }
    return out;
}

void ExplainCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("explain", "Explain why a model gives tags to one audio file (JSON on stdout)");
    m_sub->add_option("file", m_file, "Audio file")->required();
    m_sub->add_option("--tag", m_tags, "Tag to explain (repeatable; 'vocabulary:tag' to disambiguate); default: the top tag");
    m_sub->add_option("--png", m_png,
                      "Also draw a labelled PNG figure (the window's export): mel spectrogram with the first tag's "
                      "relevance, attention, per tag its probabilities and smoothed evidence curve, time axis, legend");
    m_sub->add_flag("--smooth", m_smooth, "Smooth the gradient relevance (slower)");
    m_sub->add_flag("--no-faithfulness", m_noFaithfulness, "Skip the faithfulness curves (much faster)");
    m_sub->add_flag("--relevance-maps", m_relevanceMaps, "Include the full relevance maps in the JSON (large)");
    m_sub->add_flag("--occlusion-all", m_occlusionAll, "Include the occlusion of every tag in the JSON ('occlusion')");
    m_sub->add_flag("--table", m_table, "Print a table of the faithfulness of each method instead of JSON");
    m_sub->add_option("--segment", m_segmentSeconds, "Segment length in seconds of occlusion, curves and evidence "
                      "(0.5-2 recommended)")
        ->check(CLI::Range(0.05, 60.0));
    m_sub->add_option("--orderings", m_orderings, "Random orderings the faithfulness curves are compared with")
        ->check(CLI::Range(1, 1000));
    m_sub->add_option("-k,--segments", m_k, "Evidence segments kept per tag ('play evidence')")->check(CLI::Range(1, 100));
    m_sub->add_flag("--features", m_features,
                    "Add each tag's explanation in musical terms: the model's surrogate (beside its card) over the "
                    "track's perceptual features, SHAP per track and per segment, with values and units");
}

int ExplainCommand::run(const GlobalOptions& global) {
    auto tagger = loadSelectedModel(global);
    if (!tagger) return kExitModel;
    const cards::ModelCard& card = tagger->card();

    std::vector<size_t> tagIndices;
    for (const auto& name : m_tags) {
        const auto index = card.tagIndex(name);
        if (!index) {
            std::string some;
            for (size_t i = 0; i < card.tagCount() && i < 8; ++i) some += (i ? ", " : "") + card.tagName(i);
            printError("model '" + card.id + "' has no tag '" + name + "' (its tags include " + some + ")");
            return kExitUsage;
        }
        tagIndices.push_back(*index);
    }

    CancelToken cancel;
    SigintCancel sigint(cancel);
    ProgressReporter progress(stderrIsTerminal());
    model::Analyzer analyzer(tagger);
    model::AnalysisOptions options;
    options.hopSeconds = global.hopSeconds;
    options.resampleQuality = global.resampler;
    audio::AudioBuffer audio;
    progress.begin(std::filesystem::path(m_file).filename().string(), 0, 1);
    auto result = analyzer.analyzeFile(m_file, options, progress.callback(), &cancel, {}, &audio);
    if (!result) {
        progress.end();
        printError(result.error());
        return result.error().kind == Error::Kind::Cancelled ? kExitCancelled : kExitSomeFailed;
    }
    if (tagIndices.empty()) {
        const auto top = result->ranked(1);
        if (!top.empty()) tagIndices.push_back(top.front().index);
    }

    auto occlusion = analyzer.occlusion(*result, audio, m_segmentSeconds, progress.callback(), &cancel);
    if (!occlusion) {
        progress.end();
        printError(occlusion.error());
        return occlusion.error().kind == Error::Kind::Cancelled ? kExitCancelled : kExitSomeFailed;
    }
    model::ExplainOptions explainOptions;
    explainOptions.smooth = m_smooth;
    explainOptions.faithfulness = !m_noFaithfulness;
    explainOptions.segmentSeconds = m_segmentSeconds;
    explainOptions.evidenceSegments = m_k;
    explainOptions.randomOrderings = m_orderings;
    explainOptions.occlusionOfAllTags = &*occlusion;
    model::RandomCurveSet randomCurves; // drawn once, used for every tag explained
    explainOptions.randomCurves = &randomCurves;
    std::vector<analysis::TagExplanation> explanations;
    for (size_t tag : tagIndices) {
        auto e = analyzer.explain(*result, audio, tag, explainOptions, progress.callback(), &cancel);
        if (!e) {
            progress.end();
            printError(e.error());
            return e.error().kind == Error::Kind::Cancelled ? kExitCancelled : kExitSomeFailed;
        }
        explanations.push_back(std::move(*e));
    }
    progress.end();
    if (global.timings) std::fprintf(stderr, "tagscope-cli: timings: %s: %s\n", m_file.c_str(), progress.timingLine().c_str());

    if (m_table) {
        std::cout << faithfulnessTable(*result, explanations);
    } else {
        analysis::ExportOptions exportOptions;
        exportOptions.includeRelevanceMaps = m_relevanceMaps;
        auto json = analysis::toJson(*result, &card, explanations, exportOptions);
        if (m_occlusionAll) json["occlusion"] = analysis::occlusionToJson(*occlusion);
        if (m_features) {
            auto musical = musicalExplanationsJson(card, *result, tagIndices, &cancel);
            if (!musical) {
                printError(musical.error());
                return musical.error().kind == Error::Kind::Cancelled ? kExitCancelled : kExitSomeFailed;
            }
            json["musical_explanations"] = std::move(*musical);
        }
        std::cout << json.dump(2) << std::endl;
    }

    if (!m_png.empty()) {
        if (auto ok = writeExplanationFigure(m_png, *result, explanations, card); !ok) {
            printError(ok.error());
            return kExitSomeFailed;
        }
    }
    return kExitOk;
}

} // namespace tagscope::cli
