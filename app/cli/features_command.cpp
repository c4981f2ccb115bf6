// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/features_command.h"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "app/cli/audio_inputs.h"
#include "app/cli/progress_reporter.h"
#include "app/cli/sigint_cancel.h"
#include "core/analysis/audio_analyzer.h"
#include "core/features/feature_analyzer.h"
#include "core/features/feature_json.h"

namespace tagscope::cli {

using nlohmann::json;

namespace {

constexpr int kFeaturesSchemaVersion = 1;

std::string formatValue(double v, const std::string& unit) {
    if (!std::isfinite(v)) return "-";
    char buf[64];
    const double a = std::abs(v);
    std::snprintf(buf, sizeof buf, a >= 100 ? "%.1f" : (a >= 1 ? "%.2f" : "%.3f"), v);
    return unit.empty() ? std::string(buf) : std::string(buf) + " " + unit;
}

void printCatalog() {
    for (const auto& f : features::featureCatalog())
        std::printf("%-24s %-30s %-10s %g..%g\n    %s\n", f.key.c_str(), f.name.c_str(), f.unit.c_str(), f.minValue,
                    f.maxValue, f.method.c_str());
}

void printTable(const std::string& file, const features::TrackFeatures& t, bool segments) {
    const auto& catalog = features::featureCatalog();
    std::printf("%s  (%.1f s, key %s, %zu chords, %zu segments)\n", file.c_str(), t.durationSeconds,
                t.key.empty() ? "unknown" : t.key.c_str(), t.chords.size(), t.segments.size());
    for (size_t i = 0; i < catalog.size() && i < t.values.size(); ++i)
        std::printf("  %-32s %s\n", catalog[i].name.c_str(), formatValue(t.values[i], catalog[i].unit).c_str());
    if (segments) {
        const char* keys[] = {"tempo_bpm", "loudness_lufs", "spectral_centroid_hz", "key_strength", "onset_rate",
                              "chord_change_rate"};
        std::printf("  %-13s %-9s", "segment", "key");
        for (const char* k : keys) std::printf(" %12s", k);
        std::printf("\n");
        for (const auto& s : t.segments) {
            char span[32];
            std::snprintf(span, sizeof span, "%.0f-%.0f s", s.startSeconds, s.endSeconds);
            std::printf("  %-13s %-9s", span, s.key.empty() ? "-" : s.key.c_str());
            for (const char* k : keys) {
                const double v = s.values[*features::featureIndex(k)];
                std::printf(" %12s", formatValue(v, "").c_str());
            }
            std::printf("\n");
        }
    }
    std::fflush(stdout);
}

} // namespace

void FeaturesCommand::add(CLI::App& app) {
    m_sub = app.add_subcommand("features", "Perceptual features of audio files: tempo, key, loudness, brightness, "
                                           "harmony ... per track and per segment (no model needed)");
    m_sub->add_option("inputs", m_inputs, "Audio files or folders (searched recursively)");
    m_sub->add_flag("--json", m_json, "Print JSON: track-level values by feature key, and per-segment arrays");
    m_sub->add_flag("--segments", m_segments, "Also print a table of the main features per segment");
    m_sub->add_option("--segment-seconds", m_segmentSeconds, "Segment length in seconds (default 5)")
        ->check(CLI::Range(1.0, 600.0));
    m_sub->add_flag("--catalog", m_catalog, "List every feature with its unit, range and method, and exit");
}

int FeaturesCommand::run(const GlobalOptions& global) {
    if (m_catalog) {
        if (m_json) {
            std::cout << features::catalogToJson().dump(2) << std::endl;
        } else {
            printCatalog();
        }
        return kExitOk;
    }
    if (m_inputs.empty()) {
        printError("features: give at least one audio file or folder (or --catalog)");
        return kExitUsage;
    }
    std::vector<Error> problems;
    const auto files = collectAudioFiles(m_inputs, problems);
    for (const auto& p : problems) printError(p);
    if (files.empty()) {
        if (problems.empty()) printError("no audio files found in the given folders");
        return kExitSomeFailed;
    }
    features::FeatureOptions options;
    options.segmentSeconds = m_segmentSeconds;
    features::FeatureAnalyzer analyzer(options);
    analysis::AudioAnalyzer* const analyzers[] = {&analyzer};
    analysis::AnalyzerRunOptions runOptions;
    runOptions.resampleQuality = global.resampler;

    CancelToken cancel;
    SigintCancel sigint(cancel);
    ProgressReporter progress(stderrIsTerminal());
    json tracks = json::array(), failed = json::array();
    for (const auto& p : problems) failed.push_back({{"reason", p.message}});
    bool anyFailed = !problems.empty();
    for (size_t i = 0; i < files.size(); ++i) {
        progress.begin(files[i].filename().string(), i, files.size());
        auto ok = analysis::runAnalyzers(files[i], analyzers, runOptions, progress.callback(), &cancel);
        progress.end();
        if (!ok) {
            if (ok.error().kind == Error::Kind::Cancelled || cancel.isCancelled()) {
                printError("cancelled");
                return kExitCancelled;
            }
            printError(ok.error());
            failed.push_back({{"file", files[i].string()}, {"reason", ok.error().message}});
            anyFailed = true;
            continue;
        }
        if (global.timings)
            std::fprintf(stderr, "tagscope-cli: timings: %s: %s\n", files[i].string().c_str(), progress.timingLine().c_str());
        auto result = analyzer.takeResult();
        if (!result) continue;
        if (m_json) {
            json j = {{"file", files[i].string()}};
            j.update(features::featuresToJson(*result));
            tracks.push_back(std::move(j));
        } else {
            printTable(files[i].string(), *result, m_segments);
        }
    }
    if (m_json) {
        const json doc = {{"schema_version", kFeaturesSchemaVersion}, {"tracks", tracks}, {"failed", failed}};
        std::cout << doc.dump(2) << std::endl;
    }
    return anyFailed ? kExitSomeFailed : kExitOk;
}

} // namespace tagscope::cli
