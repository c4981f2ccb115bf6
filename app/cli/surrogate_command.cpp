// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/surrogate_command.h"

#include "core/common/heap_tuning.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "app/cli/cli_common.h"
#include "app/cli/model_selection.h"
#include "app/cli/sigint_cancel.h"
#include "core/analysis/audio_analyzer.h"
#include "core/features/feature_analyzer.h"
#include "core/model/analyzer.h"
#include "core/model/tagger_analyzer.h"
#include "core/model/training/corpus.h"
#include "core/surrogate/feature_rows.h"
#include "core/surrogate/surrogate_trainer.h"
#include "core/tags/tag_vocabulary.h"

namespace tagscope::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using model::training::CorpusEntry;

struct SurrogateSettings {
    std::string model;
    // NOTE: no defaults for data files: they are the user's to name (as for the other train commands).
    std::string corpus;
    std::string rows;
    std::string output;  ///< default: beside the model card
    int maxFilesPerPackage = 40;
    double maxMinutes = 0.0;
    int threads = 1;
    bool extractOnly = false;
    surrogate::BoosterParams booster;
};

/// One line of the rows file: a track's features and the network's probabilities.
json rowsLine(const CorpusEntry& e, const surrogate::FeatureRows& rows, const analysis::TrackAnalysis& a) {
    json segments = json::array();
    for (size_t s = 0; s < rows.segments.rows; ++s) {
        const auto [start, end] = rows.spans[s];
        const auto x = rows.segments.row(s);
        segments.push_back({{"start", start}, {"end", end}, {"x", std::vector<float>(x.begin(), x.end())},
                            {"y", surrogate::probabilitiesOver(a.taggram, start, end)}});
    }
    return {{"path", e.path.string()}, {"package", e.package}, {"split", e.split}, {"model", a.modelId},
            {"catalog", surrogate::catalogFingerprint()},
            {"track", {{"x", rows.track.values}, {"y", a.trackScores}}}, {"segments", segments}};
}

/// Runs the tagger and the features over one file in one decode pass.
Result<json> extractRows(model::Analyzer& analyzer, const CorpusEntry& e, const CancelToken* cancel) {
    model::TaggerAnalyzer tagger(analyzer);
    features::FeatureAnalyzer features;
    analysis::AudioAnalyzer* analyzers[] = {&tagger, &features};
    if (auto ok = analysis::runAnalyzers(e.path, analyzers, {}, {}, cancel); !ok) return fail(ok.error());
    if (!tagger.result() || !features.result())
        return fail(Error::Kind::Internal, e.path, "the analysis finished without a result");
    auto trackFeatures = *features.result();
    surrogate::fillModelFeatures(trackFeatures, *tagger.result());
    return rowsLine(e, surrogate::featureRows(trackFeatures), *tagger.result());
}

/// The files to use: per split, at most `cap` per package, packages interleaved.
std::vector<CorpusEntry> chooseFiles(const std::vector<CorpusEntry>& all, int cap) {
    std::vector<CorpusEntry> chosen;
    for (const char* split : {"test", "validation", "train"}) {
        std::map<std::string, int> perPackage;
        for (const auto& e : model::training::selectSplit(all, split))
            if (cap <= 0 || perPackage[e.package]++ < cap) chosen.push_back(e);
    }
    return chosen;
}

/// A rows line of this model and of today's features (older feature versions are measured again).
bool isCurrentRow(const json& j, const std::string& modelId) {
    return j.is_object() && j.value("model", "") == modelId && j.value("catalog", "") == surrogate::catalogFingerprint();
}

Result<std::set<std::string>> donePaths(const fs::path& rowsFile, const std::string& modelId) {
    std::set<std::string> done;
    std::ifstream in(rowsFile);
    std::string line;
    while (std::getline(in, line)) {
        const json j = json::parse(line, nullptr, false);
        if (isCurrentRow(j, modelId)) done.insert(j.value("path", ""));
    }
    return done;
}

/// Reads the rows file into a dataset (only files of `files`, only lines of `modelId`).
Result<surrogate::SurrogateDataset> readDataset(const fs::path& rowsFile, const std::vector<CorpusEntry>& files,
                                                const std::string& modelId, const std::vector<std::string>& tags) {
    std::set<std::string> wanted;
    for (const auto& e : files) wanted.insert(e.path.string());
    surrogate::SurrogateDataset data;
    data.features = surrogate::catalogFeatures();
    data.tags = tags;
    data.x.cols = data.features.size();
    data.y.cols = tags.size();
    std::ifstream in(rowsFile);
    if (!in) return fail(Error::Kind::NotFound, rowsFile, "no feature rows yet");
    std::string line;
    int track = 0;
    std::set<std::string> seen;
    while (std::getline(in, line)) {
        const json j = json::parse(line, nullptr, false);
        if (!isCurrentRow(j, modelId)) continue;
        const std::string path = j.value("path", "");
        if (!wanted.count(path) || !seen.insert(path).second) continue;
        try {
            const std::string split = j.at("split");
            // NOTE: unknown feature values (NaN) are written as null.
            auto floats = [](const json& list) {
                std::vector<float> v;
                for (const auto& e : list) v.push_back(e.is_null() ? std::nanf("") : e.get<float>());
                return v;
            };
            auto add = [&](const json& row, bool whole) {
                const auto x = floats(row.at("x"));
                const auto y = floats(row.at("y"));
                if (x.size() != data.x.cols || y.size() != data.y.cols) throw std::runtime_error("row size");
                data.addRow(x, y, split, track, whole);
            };
            add(j.at("track"), true);
            for (const auto& s : j.at("segments")) add(s, false);
            ++track;
        } catch (const std::exception&) {
            std::fprintf(stderr, "tagscope-cli: %s: skipping unreadable feature rows of %s\n",
                         rowsFile.string().c_str(), path.c_str());
        }
    }
    return data;
}

/// The fidelity table; `names` are the tags as people read them ("rock (MSD)"), parallel to the tags.
void printFidelity(const surrogate::SurrogateModel& model, const std::vector<std::string>& names) {
    auto fmt = [](const std::optional<double>& v) {
        char b[16];
        if (!v) return std::string("   n/a");
        std::snprintf(b, sizeof b, "%6.3f", *v);
        return std::string(b);
    };
    std::printf("%-40s %6s %6s %6s %5s\n", "tag", "R2", "segR2", "AUC", "pos");
    const auto& table = model.fidelity();
    for (size_t i = 0; i < table.size(); ++i) {
        const auto& f = table[i];
        const std::string& name = i < names.size() ? names[i] : f.tag;
        std::printf("%-40s %s %s %s %5zu\n", name.c_str(), fmt(f.r2).c_str(), fmt(f.segmentR2).c_str(),
                    fmt(f.auc).c_str(), f.positives);
    }
    const auto s = surrogate::summarize(model.fidelity());
    std::printf("median R2 %s, median AUC %s (%zu tags with positives)\n", fmt(s.medianR2).c_str(),
                fmt(s.medianAuc).c_str(), s.tagsWithAuc);
    // The worst three tags by R² and by AUC, and how many tags each verdict has.
    std::map<std::string, int> verdicts;
    std::vector<size_t> byR2, byAuc;
    for (size_t i = 0; i < table.size(); ++i) {
        ++verdicts[table[i].verdict()];
        if (table[i].r2) byR2.push_back(i);
        if (table[i].auc) byAuc.push_back(i);
    }
    std::sort(byR2.begin(), byR2.end(), [&](size_t a, size_t b) { return *table[a].r2 < *table[b].r2; });
    std::sort(byAuc.begin(), byAuc.end(), [&](size_t a, size_t b) { return *table[a].auc < *table[b].auc; });
    auto worst = [&](const char* what, const std::vector<size_t>& order, auto value) {
        std::printf("worst %s:", what);
        for (size_t k = 0; k < order.size() && k < 3; ++k)
            std::printf(" %s %s;", (order[k] < names.size() ? names[order[k]] : table[order[k]].tag).c_str(),
                        fmt(value(table[order[k]])).c_str());
        std::printf("\n");
    };
    worst("R2", byR2, [](const surrogate::TagFidelity& f) { return f.r2; });
    worst("AUC", byAuc, [](const surrogate::TagFidelity& f) { return f.auc; });
    std::printf("verdicts:");
    for (const auto& [verdict, count] : verdicts) std::printf(" %s %d;", verdict.c_str(), count);
    std::printf("\n");
}

int runSurrogate(const SurrogateSettings& s) {
    tuneHeapForBatchWork();
    GlobalOptions global;
    global.model = s.model;
    global.threads = s.threads;
    auto tagger = loadSelectedModel(global);
    if (!tagger) return kExitModel;
    const auto& card = tagger->card();
    auto all = model::training::readCorpusList(s.corpus);
    if (!all) return printError(all.error()), kExitSomeFailed;
    const auto files = chooseFiles(*all, s.maxFilesPerPackage);
    auto done = donePaths(s.rows, card.id);
    if (!done) return printError(done.error()), kExitSomeFailed;

    CancelToken cancel;
    SigintCancel sigint(cancel);
    std::error_code ec;
    fs::create_directories(fs::path(s.rows).parent_path(), ec);
    std::ofstream out(s.rows, std::ios::app);
    if (!out) return printError(s.rows + ": cannot write the feature rows"), kExitSomeFailed;
    model::Analyzer analyzer(tagger);
    const auto begin = std::chrono::steady_clock::now();
    size_t extracted = 0, failures = 0;
    for (const auto& e : files) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        if (cancel.isCancelled() || (s.maxMinutes > 0 && elapsed > 60.0 * s.maxMinutes)) break;
        if (done->count(e.path.string())) continue;
        const auto t0 = std::chrono::steady_clock::now();
        auto line = extractRows(analyzer, e, &cancel);
        if (!line) {
            if (line.error().kind == Error::Kind::Cancelled) break;
            printError(line.error());
            ++failures;
            continue;
        }
        out << line->dump() << '\n' << std::flush;
        ++extracted;
        const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "[%s] %s %s: %.1f s of audio in %.1f s\n", e.split.c_str(), e.package.c_str(),
                     e.path.filename().string().c_str(), e.durationSeconds, dt);
    }
    std::fprintf(stderr, "surrogate: %zu files analysed now (%zu before, %zu failed)\n", extracted, done->size(), failures);
    if (cancel.isCancelled()) return kExitCancelled;
    if (s.extractOnly) return failures ? kExitSomeFailed : kExitOk;

    auto data = readDataset(s.rows, files, card.id, card.tagNames());
    if (!data) return printError(data.error()), kExitSomeFailed;
    std::fprintf(stderr, "surrogate: training %zu boosters on %zu rows x %zu features\n", data->tags.size(),
                 data->x.rows, data->x.cols);
    surrogate::SurrogateTrainOptions options;
    options.booster = s.booster;
    // NOTE: one XGBoost thread: the boosters are tiny, and OpenMP's barriers made training ~4x
    // slower with two threads on a busy machine; the file then also does not depend on --threads.
    options.booster.threads = 1;
    options.modelId = card.id;
    options.cancel = &cancel;
    options.onTag = [](size_t doneTags, size_t total) {
        if (doneTags % 10 == 0 || doneTags == total) std::fprintf(stderr, "  %zu/%zu tags\n", doneTags, total);
    };
    auto trained = surrogate::trainSurrogate(*data, options);
    if (!trained) return printError(trained.error()), trained.error().kind == Error::Kind::Cancelled ? kExitCancelled : kExitSomeFailed;
    std::map<std::string, std::pair<int, int>> perSplit;  // tracks, rows
    std::map<std::string, std::set<std::string>> packages;
    for (size_t r = 0; r < data->x.rows; ++r) perSplit[data->split[r]].second++, perSplit[data->split[r]].first += data->isTrack[r];
    for (const auto& e : files) packages[e.split].insert(e.package);
    json splits = json::object();
    for (const auto& [split, v] : perSplit)
        splits[split] = {{"tracks", v.first}, {"rows", v.second}, {"packages", packages[split]}};
    trained->setTraining({{"target", "the model's tag probabilities (track and 5 s segment rows)"},
                          {"objective", s.booster.objective},
                          {"trees", s.booster.rounds},
                          {"max_depth", s.booster.maxDepth},
                          {"learning_rate", s.booster.learningRate},
                          {"seed", s.booster.seed},
                          {"feature_catalog", surrogate::catalogFingerprint()},
                          {"fidelity_split", "test"},
                          {"auc_labels", "the model's top-5 tags per track"},
                          {"splits", splits}});
    const fs::path output = s.output.empty() ? surrogate::SurrogateModel::pathForCard(card.cardPath) : fs::path(s.output);
    if (auto ok = trained->save(output); !ok) return printError(ok.error()), kExitSomeFailed;
    printFidelity(*trained, tags::displayTagNames(card.tagNames(), card.vocabularyOfTags()));
    std::fprintf(stderr, "wrote %s (%.2f MB)\n", output.string().c_str(), double(fs::file_size(output, ec)) / 1e6);
    return failures ? kExitSomeFailed : kExitOk;
}

} // namespace

void registerSurrogateTrainCommand(CLI::App& train, std::function<void(int)> finish) {
    auto s = std::make_shared<SurrogateSettings>();
    auto* sub = train.add_subcommand(
        "surrogate", "Train the per-tag XGBoost models that explain the model in musical terms (features -> the "
                     "model's tag probabilities); resumable feature extraction, fidelity on the test packages");
    sub->add_option("--model", s->model, "Model id or card path (default: the first installed, e.g. the bundled one)");
    sub->add_option("--corpus", s->corpus, "Corpus file list (TSV, written by 'train corpus')")->required();
    sub->add_option("--rows", s->rows, "Feature rows file (JSON lines, appended; reused on the next run)")->required();
    sub->add_option("--output", s->output, "Surrogate file to write (default: <card>.surrogate.json beside the card)");
    sub->add_option("--max-files-per-package", s->maxFilesPerPackage, "Files per package and split (0 = all)")->capture_default_str();
    sub->add_option("--max-minutes", s->maxMinutes, "Stop extracting after this many minutes, then train");
    sub->add_option("--threads", s->threads, "Compute threads of the model (the boosters train on one)")->capture_default_str();
    sub->add_flag("--extract-only", s->extractOnly, "Only extract feature rows, do not train");
    sub->add_option("--objective", s->booster.objective, "reg:squarederror or binary:logistic")
        ->check(CLI::IsMember({"reg:squarederror", "binary:logistic"}))->capture_default_str();
    sub->add_option("--trees", s->booster.rounds, "Trees per tag")->check(CLI::Range(1, 1000))->capture_default_str();
    sub->add_option("--depth", s->booster.maxDepth, "Tree depth")->check(CLI::Range(1, 8))->capture_default_str();
    sub->add_option("--eta", s->booster.learningRate, "Learning rate")->capture_default_str();
    sub->add_option("--seed", s->booster.seed, "Random seed")->capture_default_str();
    sub->callback([s, finish] { finish(runSurrogate(*s)); });
}

} // namespace tagscope::cli
