// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/train_command.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "app/cli/cli_common.h"
#include "app/cli/sigint_cancel.h"
#include "app/cli/surrogate_command.h"
#include "core/common/heap_tuning.h"
#include "core/io/file_util.h"
#include "core/cards/model_card.h"
#include "core/io/safetensors.h"
#include "core/model/training/corpus.h"
#include "core/model/training/evaluate.h"
#include "core/model/training/teacher_cache.h"
#include "core/model/training/trainer.h"
#include "core/tags/tag_vocabulary.h"
#include "core/tags/taxonomy.h"

namespace tagscope::cli {
namespace {

namespace fs = std::filesystem;
using namespace tagscope::model::training;

struct TrainSettings {
    // corpus
    std::string candidates, output;
    double minSeconds = 30.0;
    // shared by cache / run / eval
    // NOTE: no defaults: the data folders of a training run are the user's to name.
    std::string corpus, cache, teachers, runDir;
    int threads = 1;
    double maxMinutes = 0.0;
    // cache
    std::vector<std::string> splits{"validation", "test", "train"};
    int maxWindows = 4;
    size_t mixtures = 0;        ///< cache: mixtures of two train windows to label
    uint64_t mixtureSeed = 1;   ///< cache: seed of the mixture plan
    std::string mixtureList;    ///< cache: the plan (written when missing); run: mixtures to train on
    // run
    TrainerOptions trainer;
    int64_t untilStep = 0;
    int64_t validateEvery = 100, checkpointEvery = 100;
    int64_t keepEvery = 0; ///< run: also keep the student of every this many steps (0 = only the best)
    bool resume = false;
    std::string init; ///< student weights a new run starts from
    std::string coarse;   ///< coarse head of a new run: "", "rule", "attention" or "attention-members"
    std::string taxonomy; ///< groups of the coarse level (run with --coarse; eval of any student)
    int64_t width = 0, layers = 0, convChannels = 0; ///< student size of a new run (0 = default)
    double dropout = -1; ///< student dropout of a new run (< 0: the default)
    std::vector<std::string> vocabularyWeightArguments; ///< run: --vocabulary-weight NAME=W
    // eval / export
    std::string split = "test", weights, evalJson, modelsDir = "models", id = "tagscope_mtt_student";
    std::string cardId = "tagscope-mtt-student-v2";
    int64_t chunkFrames = 0; ///< eval / export: chunk length in mel frames (0 = the run's training crop)
    int64_t trackChunkFrames = 0; ///< export: the card's track chunks in mel frames (0 = none)
};

std::string formatDuration(double seconds) {
    const int s = int(seconds);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
    return buffer;
}

Result<std::vector<CorpusEntry>> splitEntries(const TrainSettings& s, const std::string& split) {
    auto all = readCorpusList(s.corpus);
    if (!all) return fail(all.error());
    return selectSplit(*all, split);
}

std::vector<fs::path> pathsOf(const std::vector<CorpusEntry>& entries) {
    std::vector<fs::path> paths;
    for (const auto& e : entries) paths.push_back(e.path);
    return paths;
}

Result<std::unique_ptr<TeacherCache>> openCache(const TrainSettings& s) {
    return TeacherCache::open({s.cache, s.maxWindows, s.threads}, upstreamTeachers(s.teachers));
}

// Tag names of the teachers' vocabularies (student output order) and the vocabulary of each.
Result<std::pair<std::vector<std::string>, std::vector<std::string>>> studentTagNames(const TrainSettings& s) {
    const fs::path tagsDir = fs::path(s.teachers).parent_path().parent_path() / "tags";
    std::vector<std::string> names, vocabularyOf;
    for (const auto& v : teacherVocabularies(upstreamTeachers(s.teachers))) {
        auto vocabulary = tags::loadTagVocabulary(tagsDir / (v + ".txt"));
        if (!vocabulary) return fail(vocabulary.error());
        for (const auto& tag : vocabulary->tags) names.push_back(tag), vocabularyOf.push_back(v);
    }
    return std::pair{names, vocabularyOf};
}

// The taxonomy's groups as indices of the student's fine outputs, and their names.
Result<std::pair<std::vector<std::vector<int64_t>>, std::vector<std::string>>> coarseGroupsFromTaxonomy(const TrainSettings& s) {
    auto taxonomy = tags::loadTaxonomy(s.taxonomy);
    if (!taxonomy) return fail(taxonomy.error());
    auto names = studentTagNames(s);
    if (!names) return fail(names.error());
    std::vector<std::vector<int64_t>> groups;
    std::vector<std::string> groupNames;
    for (const auto& r : tags::resolveGroups(*taxonomy, names->first, names->second)) {
        groups.emplace_back(r.members.begin(), r.members.end());
        groupNames.push_back(taxonomy->groups[r.group].name);
    }
    if (groups.empty()) return fail(Error::Kind::InvalidInput, s.taxonomy, "no group of this taxonomy has a member among the student's tags");
    return std::pair{groups, groupNames};
}

int runCorpus(const TrainSettings& s) {
    size_t skipped = 0;
    auto entries = probeCandidates(s.candidates, s.minSeconds, &skipped);
    if (!entries) return printError(entries.error()), kExitSomeFailed;
    if (auto ok = writeCorpusList(s.output, *entries); !ok) return printError(ok.error()), kExitSomeFailed;
    std::map<std::string, std::pair<int, double>> perSplit;
    for (const auto& e : *entries) perSplit[e.split].first += 1, perSplit[e.split].second += e.durationSeconds;
    for (const auto& [split, v] : perSplit)
        std::fprintf(stderr, "%-10s %4d files %6.2f h\n", split.c_str(), v.first, v.second / 3600.0);
    if (skipped) std::fprintf(stderr, "%zu unreadable files skipped\n", skipped);
    return kExitOk;
}

int runCache(const TrainSettings& s) {
    tuneHeapForBatchWork();
    auto cache = openCache(s);
    if (!cache) return printError(cache.error()), kExitModel;
    CancelToken cancel;
    SigintCancel sigint(cancel);
    const auto begin = std::chrono::steady_clock::now();
    double computeSeconds = 0.0;
    size_t done = 0, hits = 0, failures = 0;
    for (const auto& split : s.splits) {
        auto entries = splitEntries(s, split);
        if (!entries) return printError(entries.error()), kExitSomeFailed;
        for (const auto& e : *entries) {
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
            if (cancel.isCancelled() || (s.maxMinutes > 0 && elapsed > 60.0 * s.maxMinutes)) break;
            const auto t0 = std::chrono::steady_clock::now();
            bool computed = false;
            auto track = (*cache)->ensure(e.path, e.durationSeconds, &computed, &cancel);
            const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            ++done;
            if (!track) {
                if (track.error().kind == Error::Kind::Cancelled) break;
                printError(track.error());
                ++failures;
                continue;
            }
            if (!computed) {
                ++hits;
                continue;
            }
            computeSeconds += dt;
            const double audio = double(track->windowStartSeconds.size()) * double(kWindowSamples) / 16000.0;
            std::fprintf(stderr, "[%s %zu] %s %s: %zu windows in %.1f s (%.1fx realtime)\n", split.c_str(), done,
                         e.package.c_str(), e.path.filename().string().c_str(), track->windowStartSeconds.size(), dt,
                         audio / dt);
        }
    }
    if (s.mixtures > 0 && !cancel.isCancelled()) {
        if (s.mixtureList.empty()) return printError("--mixtures needs --mixture-list (the plan's file)"), kExitUsage;
        std::vector<MixtureSpec> plan;
        if (fs::exists(s.mixtureList)) {
            auto read = readMixtureList(s.mixtureList);
            if (!read) return printError(read.error()), kExitSomeFailed;
            plan = std::move(*read);
        } else {
            // Mixtures draw on the train split's cached windows only: held-out music stays unheard.
            auto train = splitEntries(s, "train");
            if (!train) return printError(train.error()), kExitSomeFailed;
            std::vector<MixtureSource> sources;
            for (const auto& e : *train) {
                auto track = (*cache)->lookup(e.path);
                if (!track) continue;
                sources.push_back({e.path, e.package, track->windowStartSeconds});
            }
            plan = planMixtures(sources, s.mixtures, s.mixtureSeed);
            if (auto ok = writeMixtureList(s.mixtureList, plan); !ok) return printError(ok.error()), kExitSomeFailed;
            std::fprintf(stderr, "planned %zu mixtures of %zu cached train files -> %s\n", plan.size(), sources.size(),
                         s.mixtureList.c_str());
        }
        size_t mixed = 0, mixHits = 0;
        for (const auto& m : plan) {
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
            if (cancel.isCancelled() || (s.maxMinutes > 0 && elapsed > 60.0 * s.maxMinutes)) break;
            const auto t0 = std::chrono::steady_clock::now();
            bool computed = false;
            auto track = (*cache)->ensureMixture(m, &computed, &cancel);
            if (!track) {
                if (track.error().kind == Error::Kind::Cancelled) break;
                printError(track.error());
                ++failures;
                continue;
            }
            ++mixed;
            if (!computed) {
                ++mixHits;
                continue;
            }
            const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            computeSeconds += dt;
            if (mixed % 25 == 0)
                std::fprintf(stderr, "[mixture %zu/%zu] %s + %s (%.1f dB) in %.1f s\n", mixed, plan.size(),
                             m.first.filename().string().c_str(), m.second.filename().string().c_str(), m.secondGainDb, dt);
        }
        std::fprintf(stderr, "mixtures: %zu of %zu cached (%zu were already)\n", mixed, plan.size(), mixHits);
    }
    const double audio = (*cache)->teacherAudioSeconds();
    std::fprintf(stderr, "cache: %zu files (%zu already cached, %zu failed); teachers ran on %.1f min of audio in %.1f min (%.1fx realtime)\n",
                 done, hits, failures, audio / 60.0, computeSeconds / 60.0, computeSeconds > 0 ? audio / computeSeconds : 0.0);
    if (cancel.isCancelled()) return kExitCancelled;
    return failures ? kExitSomeFailed : kExitOk;
}

// The mixture plan a run was started with (options.json "mixtures"; empty when none).
Result<std::string> recordedMixtures(const fs::path& runDir) {
    auto bytes = io::readFileBytes(runDir / "options.json");
    if (!bytes) return fail(bytes.error());
    try {
        return nlohmann::json::parse(*bytes).value("mixtures", std::string{});
    } catch (const std::exception& e) {
        return fail(Error::Kind::InvalidInput, runDir / "options.json", std::string("unreadable run options: ") + e.what());
    }
}

Result<TrainerOptions> readRunOptions(const fs::path& runDir, TrainerOptions o) {
    auto bytes = io::readFileBytes(runDir / "options.json");
    if (!bytes) return fail(bytes.error());
    try {
        auto j = nlohmann::json::parse(*bytes);
        o.architecture = j.at("architecture");
        o.hyper = j.at("hyper");
        o.cropFrames = j.at("crop_frames");
        o.batchSize = j.at("batch_size");
        o.totalSteps = j.at("total_steps");
        o.warmupSteps = j.at("warmup_steps");
        o.learningRate = j.at("learning_rate");
        o.weightDecay = j.at("weight_decay");
        o.seed = j.at("seed");
        o.logitWeight = j.value("logit_weight", 0.0);
        o.rankWeight = j.value("rank_weight", 0.0);
        o.listWeight = j.value("list_weight", 0.0);
        o.shortCropFrames = j.value("short_crop_frames", int64_t{0});
        o.coarseWeight = j.value("coarse_weight", 1.0);
        o.vocabularyWeights = j.value("vocabulary_weights", std::map<std::string, double>{});
        o.balancePower = j.value("balance_power", 0.0);
        o.vocabularySize = j.value("vocabulary_size", o.vocabularySize);
        o.gainDb = j.value("gain_db", o.gainDb);
        o.frequencyMasks = j.value("frequency_masks", o.frequencyMasks);
        o.maxFrequencyMask = j.value("max_frequency_mask", o.maxFrequencyMask);
        o.timeMasks = j.value("time_masks", o.timeMasks);
        o.maxTimeMask = j.value("max_time_mask", o.maxTimeMask);
    } catch (const std::exception& e) {
        return fail(Error::Kind::InvalidInput, runDir / "options.json", std::string("unreadable run options: ") + e.what());
    }
    return o;
}

// The loss weight of every fine tag from --vocabulary-weight NAME=W (the others weigh 1); empty
// when no weight is given. A name that is not one of the teachers' vocabularies is refused.
Result<std::vector<double>> tagWeightsOf(TrainSettings& s, const std::vector<std::string>& vocabularies) {
    for (const auto& given : s.vocabularyWeightArguments) {
        const auto eq = given.find('=');
        double w = -1;
        try {
            size_t used = 0;
            if (eq != std::string::npos) w = std::stod(given.substr(eq + 1), &used);
            if (eq == std::string::npos || used != given.size() - eq - 1) w = -1;
        } catch (const std::exception&) {
            w = -1;
        }
        if (!std::isfinite(w) || w < 0)
            return fail(Error::Kind::InvalidInput, {}, "--vocabulary-weight '" + given + "': expected NAME=WEIGHT with a weight >= 0");
        s.trainer.vocabularyWeights[given.substr(0, eq)] = w;
    }
    std::vector<double> weights;
    if (s.trainer.vocabularyWeights.empty()) return weights;
    for (const auto& [name, w] : s.trainer.vocabularyWeights)
        if (std::find(vocabularies.begin(), vocabularies.end(), name) == vocabularies.end()) {
            std::string known;
            for (const auto& v : vocabularies) known += (known.empty() ? "" : ", ") + v;
            return fail(Error::Kind::InvalidInput, {}, "--vocabulary-weight: no vocabulary '" + name + "' (the student's: " + known + ")");
        }
    for (const auto& v : vocabularies) {
        auto it = s.trainer.vocabularyWeights.find(v);
        weights.insert(weights.end(), size_t(s.trainer.vocabularySize), it == s.trainer.vocabularyWeights.end() ? 1.0 : it->second);
    }
    return weights;
}

int runTrain(TrainSettings s) {
    tuneHeapForBatchWork();
    const fs::path runDir = s.runDir, checkpoint = runDir / "checkpoint.safetensors";
    std::error_code ec;
    fs::create_directories(runDir, ec);
    if (s.resume) {
        auto o = readRunOptions(runDir, s.trainer);
        if (!o) return printError(o.error()), kExitUsage;
        s.trainer = *o;
        // A resumed run trains on the same windows: the mixtures it started with, unless named
        // again; another plan (or one for a run without) is refused.
        auto recorded = recordedMixtures(runDir);
        if (!recorded) return printError(recorded.error()), kExitUsage;
        if (s.mixtureList.empty()) {
            s.mixtureList = *recorded;
        } else if (fs::absolute(s.mixtureList).lexically_normal() != fs::path(*recorded).lexically_normal()) {
            printError(runDir.string() + ": the run trained " +
                       (recorded->empty() ? std::string("without mixtures") : "on the mixtures of " + *recorded) +
                       "; resume it without --mixtures (or with the same plan)");
            return kExitUsage;
        }
    } else if (fs::exists(checkpoint)) {
        printError(checkpoint.string() + ": a run already exists here; continue it with --resume or pick another --run-dir");
        return kExitUsage;
    }
    s.trainer.threads = s.threads;
    if (!s.resume) {
        if (s.width > 0) s.trainer.hyper["attention_ndim"] = s.width;
        if (s.layers > 0) s.trainer.hyper["attention_nlayers"] = s.layers;
        if (s.convChannels > 0) s.trainer.hyper["conv_ndim"] = s.convChannels;
        if (s.dropout >= 0) s.trainer.hyper["dropout"] = s.dropout;
    }
    if (!s.resume && !s.coarse.empty()) {
        if (s.taxonomy.empty()) return printError("--coarse needs --taxonomy (the groups the coarse level learns)"), kExitUsage;
        auto groups = coarseGroupsFromTaxonomy(s);
        if (!groups) return printError(groups.error()), kExitUsage;
        // "attention-members": an attention head whose groups attend over their own members only.
        s.trainer.hyper["coarse_head"] = s.coarse == "rule" ? "rule" : "attention";
        if (s.coarse == "attention-members") s.trainer.hyper["coarse_attention_scope"] = "members";
        s.trainer.hyper["coarse_groups"] = groups->first;
        s.trainer.hyper["coarse_names"] = groups->second;
        std::fprintf(stderr, "coarse head '%s': %zu groups of %s\n", s.coarse.c_str(), groups->first.size(), s.taxonomy.c_str());
    }
    auto cache = openCache(s);
    if (!cache) return printError(cache.error()), kExitModel;
    const auto vocabularies = teacherVocabularies(upstreamTeachers(s.teachers));
    auto train = splitEntries(s, "train");
    auto validation = splitEntries(s, "validation");
    if (!train || !validation) return printError(!train ? train.error() : validation.error()), kExitSomeFailed;
    size_t missingTrain = 0, missingValidation = 0;
    auto trainSet = collectWindows(**cache, pathsOf(*train), vocabularies, &missingTrain);
    auto validationSet = collectWindows(**cache, pathsOf(*validation), vocabularies, &missingValidation);
    if (!trainSet || !validationSet) return printError(!trainSet ? trainSet.error() : validationSet.error()), kExitSomeFailed;
    if (!s.mixtureList.empty()) {
        auto plan = readMixtureList(s.mixtureList);
        if (!plan) return printError(plan.error()), kExitUsage;
        size_t missingMixtures = 0;
        auto mixed = collectMixtureWindows(**cache, *plan, vocabularies, &missingMixtures);
        if (!mixed) return printError(mixed.error()), kExitSomeFailed;
        std::fprintf(stderr, "mixtures: %lld windows (%zu not cached yet)\n", (long long)mixed->mel.shape[0], missingMixtures);
        trainSet->mel.data.insert(trainSet->mel.data.end(), mixed->mel.data.begin(), mixed->mel.data.end());
        trainSet->targets.data.insert(trainSet->targets.data.end(), mixed->targets.data.begin(), mixed->targets.data.end());
        trainSet->mel.shape[0] += mixed->mel.shape[0];
        trainSet->targets.shape[0] += mixed->targets.shape[0];
    }
    if (auto weights = tagWeightsOf(s, vocabularies); !weights) {
        return printError(weights.error()), kExitUsage;
    } else {
        s.trainer.tagWeights = std::move(*weights);
    }
    std::fprintf(stderr, "train: %lld windows (%zu files not cached yet), validation: %lld windows (%zu not cached)\n",
                 (long long)trainSet->mel.shape[0], missingTrain, (long long)validationSet->mel.shape[0], missingValidation);
    auto trainer = Trainer::create(s.trainer, std::move(*trainSet), std::move(*validationSet));
    if (!trainer) return printError(trainer.error()), kExitSomeFailed;
    Trainer& t = **trainer;
    if (s.resume) {
        if (auto ok = (*trainer)->loadCheckpoint(checkpoint); !ok) return printError(ok.error()), kExitSomeFailed;
        std::fprintf(stderr, "resumed at step %lld\n", (long long)(*trainer)->status().step);
    } else {
        auto options = trainerOptionsJson(s.trainer);
        if (!s.mixtureList.empty()) options["mixtures"] = fs::absolute(s.mixtureList).string();
        if (!s.init.empty()) {
            auto weights = io::readSafetensors(s.init);
            if (!weights) return printError(weights.error()), kExitSomeFailed;
            auto grown = t.initialiseStudent(weights->tensors, s.init);
            if (!grown) return printError(grown.error()), kExitSomeFailed;
            auto sha = io::sha256File(s.init);
            options["initialised_from"] = {{"path", fs::absolute(s.init).string()}, {"sha256", sha ? *sha : ""},
                                           {"step", weights->metadata.count("step") ? weights->metadata["step"] : ""},
                                           {"added_layers", grown->addedLayers}, {"width_factor", grown->widthFactor}};
            if (grown->convChannels)
                options["initialised_from"]["conv_channels"] = {{"from", grown->convChannelsFrom}, {"to", grown->convChannels}};
            std::string growth;
            if (grown->addedLayers)
                growth += "; " + std::to_string(grown->addedLayers) + " transformer layers added as identities";
            if (grown->widthFactor > 1)
                growth += "; token width x" + std::to_string(grown->widthFactor) + ", units copied";
            if (grown->convChannels)
                growth += "; conv channels " + std::to_string(grown->convChannelsFrom) + " -> " +
                          std::to_string(grown->convChannels) + ", copied with random input splits";
            if (!growth.empty()) growth = " (grown: " + growth.substr(2) + ")";
            std::fprintf(stderr, "initialised the student from %s%s\n", s.init.c_str(), growth.c_str());
            // The starting point as this run's student (grown when the sizes differ): the base of
            // an interpolation between it and the trained student (WiSE-FT), and a record.
            if (auto ok = io::writeSafetensors(runDir / "initial_student.safetensors", t.studentWeights(),
                                               {{"step", "0"}, {"initialised_from", fs::absolute(s.init).string()}});
                !ok)
                return printError(ok.error()), kExitSomeFailed;
        }
        if (auto ok = io::writeFileAtomically(runDir / "options.json", options.dump(2)); !ok)
            return printError(ok.error()), kExitSomeFailed;
    }
    CancelToken cancel;
    SigintCancel sigint(cancel);
    const int64_t until = s.untilStep > 0 ? s.untilStep : s.trainer.totalSteps;
    std::ofstream log(runDir / "log.tsv", std::ios::app);
    auto report = [&](const TrainerStatus& st) {
        const double eta = st.secondsPerStep * double(until - st.step);
        std::fprintf(stderr, "step %lld/%lld  train %.4f  val %.4f (baseline %.4f, best %.4f)  %.2f s/step  ETA %s\n",
                     (long long)st.step, (long long)until, st.trainLoss, st.validationLoss, st.baselineLoss,
                     st.bestValidationLoss, st.secondsPerStep, formatDuration(eta).c_str());
        log << st.step << '\t' << st.trainLoss << '\t' << st.validationLoss << '\t' << st.baselineLoss << '\t'
            << st.trainingSeconds << std::endl;
        const std::map<std::string, std::string> metadata{{"step", std::to_string(st.step)},
                                                          {"validation_loss", std::to_string(st.validationLoss)},
                                                          {"baseline_loss", std::to_string(st.baselineLoss)},
                                                          {"training_seconds", std::to_string(st.trainingSeconds)}};
        if (st.validationLoss >= 0 && st.validationLoss <= st.bestValidationLoss) {
            if (auto ok = io::writeSafetensors(runDir / "best_student.safetensors", t.studentWeights(), metadata); !ok)
                printError(ok.error());
        }
        // Snapshots: the validation loss is a noisy selector (a few held-out packages), so a
        // run can keep its students for a choice by held-out ROC-AUC or for weight averaging.
        if (s.keepEvery > 0 && st.step % s.keepEvery == 0) {
            char name[48];
            std::snprintf(name, sizeof name, "step_%06lld.safetensors", (long long)st.step);
            const fs::path snapshots = runDir / "snapshots";
            std::error_code made;
            fs::create_directories(snapshots, made);
            if (auto ok = io::writeSafetensors(snapshots / name, t.studentWeights(), metadata); !ok) printError(ok.error());
        }
    };
    auto result = t.run(until, 60.0 * s.maxMinutes, s.validateEvery, s.checkpointEvery, checkpoint, report, &cancel);
    if (!result) {
        printError(result.error());
        return result.error().kind == Error::Kind::Cancelled ? kExitCancelled : kExitSomeFailed;
    }
    std::fprintf(stderr, "stopped at step %lld; checkpoint %s\n", (long long)result->step, checkpoint.string().c_str());
    return kExitOk;
}

Result<nlohmann::json> evaluate(const TrainSettings& s, const TrainerOptions& o, const fs::path& weights) {
    auto cache = openCache(s);
    if (!cache) return fail(cache.error());
    const auto teachers = upstreamTeachers(s.teachers);
    const auto vocabularies = teacherVocabularies(teachers);
    // The coarse level: the student's own groups, else (post-hoc pooling only) --taxonomy's.
    auto groups = coarseGroupsOf(o.hyper);
    const bool learned = !groups.empty();
    if (!learned && !s.taxonomy.empty()) {
        auto resolved = coarseGroupsFromTaxonomy(s);
        if (!resolved) return fail(resolved.error());
        groups = resolved->first;
    }
    auto student = loadStudent(o.architecture, o.hyper, int(50 * vocabularies.size() + (learned ? groups.size() : 0)),
                               weights, s.threads);
    if (!student) return fail(student.error());
    auto entries = splitEntries(s, s.split);
    if (!entries) return fail(entries.error());
    std::vector<CachedTrack> tracks;
    std::set<std::string> packages;
    for (const auto& e : *entries) {
        auto track = (*cache)->lookup(e.path);
        if (!track) continue;
        tracks.push_back(std::move(*track));
        packages.insert(e.package);
    }
    auto result = evaluateAgainstEnsemble(tracks, vocabularies, teachers, *student, o.cropFrames, groups);
    if (!result) return fail(result.error());
    (*result)["split"] = s.split;
    (*result)["packages"] = packages;
    return result;
}

int runEval(const TrainSettings& s) {
    tuneHeapForBatchWork();
    auto o = readRunOptions(s.runDir, s.trainer);
    if (!o) return printError(o.error()), kExitUsage;
    if (s.chunkFrames > 0) o->cropFrames = s.chunkFrames;
    const fs::path weights = s.weights.empty() ? fs::path(s.runDir) / "best_student.safetensors" : fs::path(s.weights);
    auto result = evaluate(s, *o, weights);
    if (!result) return printError(result.error()), kExitSomeFailed;
    const fs::path out = s.evalJson.empty() ? fs::path(s.runDir) / ("eval_" + s.split + ".json") : fs::path(s.evalJson);
    if (auto ok = io::writeFileAtomically(out, result->dump(2)); !ok) return printError(ok.error()), kExitSomeFailed;
    std::printf("%s\n", result->dump(2).c_str());
    return kExitOk;
}

int runExport(const TrainSettings& s) {
    tuneHeapForBatchWork();
    auto o = readRunOptions(s.runDir, s.trainer);
    if (!o) return printError(o.error()), kExitUsage;
    // The run's best student, or --weights (e.g. its WiSE-FT interpolation toward the start).
    const fs::path best = s.weights.empty() ? fs::path(s.runDir) / "best_student.safetensors" : fs::path(s.weights);
    auto weights = io::readSafetensors(best);
    if (!weights) return printError(weights.error()), kExitSomeFailed;
    // NOTE: checked before anything is written, so a refused file leaves the models folder as it was.
    for (const char* key : {"step", "training_seconds", "validation_loss", "baseline_loss"})
        if (!weights->metadata.count(key))
            return printError(Error::make(Error::Kind::InvalidInput, best,
                                          std::string("lacks the training record '") + key +
                                              "' (a run's best_student.safetensors or an interpolation of one has it)")),
                   kExitSomeFailed;
    const auto teachers = upstreamTeachers(s.teachers);
    cards::ModelCard card;
    card.id = s.cardId;
    card.name = "Tagscope MTT student (MTAT + MSD + MTG-Jamendo)";
    card.description =
        "Music Tagging Transformer distilled (noisy student) from ensembles of the sota-music-tagging-models "
        "FCN/MusiCNN/CRNN teachers on game music from Debian packages; predicts three 50-tag vocabularies.";
    card.architecture = o->architecture;
    card.hyperParameters = o->hyper;
    // A rule head (grouped max-pooling) has no weights: at inference a group is the max of its
    // members, which is what the card's taxonomy pools. It is exported as a plain student, so
    // the groups are not listed twice; the training record keeps that it was learned jointly.
    if (o->hyper.value("coarse_head", std::string{}) == "rule") {
        for (const char* key : {"coarse_head", "coarse_groups", "coarse_names", "n_seq_cls"})
            card.hyperParameters.erase(key);
        card.description += " Coarse groups learned jointly (rule-based grouped max-pooling with a coarse-level loss); "
                            "a group's score is the max of its members' scores.";
    }
    card.sampleRate = 16000;
    card.mel = teacherMelConfig();
    // The chunk the card runs at: the training crop, or --chunk-frames (the MTT takes any length
    // up to its positions; shorter chunks give a finer taggram and more local explanations).
    TrainerOptions atChunk = *o;
    if (s.chunkFrames > 0) atChunk.cropFrames = s.chunkFrames;
    card.chunkSamples = (atChunk.cropFrames - 1) * card.mel.hopLength;
    // With --track-chunk-frames the track's tags come from those longer chunks (ModelCard::
    // trackChunkSamples), so the card's figures are measured at them; the taggram stays at the chunk.
    TrainerOptions atTrack = atChunk;
    if (s.trackChunkFrames > 0) {
        if (s.trackChunkFrames < atChunk.cropFrames)
            return printError(Error::make(Error::Kind::InvalidInput, {},
                                          "--track-chunk-frames (" + std::to_string(s.trackChunkFrames) +
                                              ") must not be shorter than the chunk (" +
                                              std::to_string(atChunk.cropFrames) + " frames)")),
                   kExitUsage;
        atTrack.cropFrames = s.trackChunkFrames;
        card.trackChunkSamples = (s.trackChunkFrames - 1) * card.mel.hopLength;
    }
    const fs::path tagsDir = fs::path(s.teachers).parent_path().parent_path() / "tags";
    for (const auto& v : teacherVocabularies(teachers)) {
        auto vocabulary = tags::loadTagVocabulary(tagsDir / (v + ".txt"));
        if (!vocabulary) return printError(vocabulary.error()), kExitSomeFailed;
        vocabulary->name = v;
        card.vocabularies.push_back(*vocabulary);
    }
    // A coarse head's outputs follow the fine tags: one vocabulary of group names.
    if (card.hyperParameters.contains("coarse_names") && !coarseGroupsOf(card.hyperParameters).empty()) {
        tags::TagVocabulary groups;
        groups.name = tags::kLearnedGroupsVocabulary;
        groups.tags = o->hyper.at("coarse_names").get<std::vector<std::string>>();
        card.vocabularies.push_back(std::move(groups));
    }
    // One taxonomy for the three vocabularies: same-named groups pool a tag across vocabularies.
    std::vector<tags::Taxonomy> taxonomies;
    for (const auto& v : card.vocabularies) {
        if (v.name == tags::kLearnedGroupsVocabulary) continue; // the groups themselves
        auto taxonomy = tags::loadTaxonomy(fs::path(s.modelsDir) / "taxonomy" / (v.name + ".json"));
        if (!taxonomy) return printError(taxonomy.error()), kExitSomeFailed;
        taxonomies.push_back(std::move(*taxonomy));
    }
    const fs::path taxonomyPath = fs::path(s.modelsDir) / "taxonomy" / (s.id + ".json");
    if (auto ok = tags::saveTaxonomy(tags::mergeTaxonomies(taxonomies), taxonomyPath,
                                     "Groups of the " + std::to_string(card.vocabularies.size()) +
                                         " vocabularies of " + card.id + ", merged from their own taxonomies.");
        !ok)
        return printError(ok.error()), kExitSomeFailed;
    card.taxonomyPath = fs::absolute(taxonomyPath);
    const fs::path out = fs::path(s.modelsDir) / (s.id + ".safetensors");
    std::error_code ec;
    fs::create_directories(s.modelsDir, ec);
    if (auto ok = io::writeSafetensors(out, weights->tensors, {{"format", "pt"}}); !ok) return printError(ok.error()), kExitSomeFailed;
    auto sha = io::sha256File(out);
    if (!sha) return printError(sha.error()), kExitSomeFailed;
    card.weightsPath = fs::absolute(out);
    card.sha256 = *sha;
    card.source = "Trained by tagscope-cli train (core/model/training) from the MIT-licensed upstream teachers";
    card.license = "GPL-3.0-or-later";
    nlohmann::json evaluation;
    for (const std::string split : {"validation", "test"}) {
        TrainSettings e = s;
        e.split = split;
        auto result = evaluate(e, atTrack, best);
        if (!result) return printError(result.error()), kExitSomeFailed;
        evaluation[split] = *result;
    }
    auto& m = weights->metadata;
    int64_t parameters = 0;
    for (const auto& [k, t] : weights->tensors) parameters += t.numel();
    evaluation["training"] = {{"steps", std::stoll(m["step"])},
                              {"hours", std::stod(m["training_seconds"]) / 3600.0},
                              {"validation_loss", std::stod(m["validation_loss"])},
                              {"baseline_loss", std::stod(m["baseline_loss"])},
                              {"parameters", parameters},
                              {"weights_bytes", fs::file_size(out, ec)},
                              {"options", trainerOptionsJson(*o)},
                              {"teachers", (*openCache(s))->teacherIds()}};
    if (m.count("interpolated")) evaluation["training"]["interpolated"] = m["interpolated"];
    // A run started from another student's weights says so (path, sha256, step of the source).
    if (auto raw = io::readFileBytes(fs::path(s.runDir) / "options.json")) {
        const auto j = nlohmann::json::parse(*raw, nullptr, false);
        if (j.is_object() && j.contains("initialised_from")) {
            auto from = j["initialised_from"];
            // The card travels to users: it names the source file, not the training machine's folders.
            if (from.contains("path") && from["path"].is_string())
                from["path"] = fs::path(from["path"].get<std::string>()).filename().string();
            evaluation["training"]["initialised_from"] = from;
        }
    }
    evaluation["chunk_frames"] = atTrack.cropFrames; // the validation and test figures are at this chunk
    if (card.hasTrackChunks()) evaluation["taggram_chunk_frames"] = atChunk.cropFrames;
    card.evaluation = evaluation;
    const fs::path cardPath = fs::path(s.modelsDir) / (s.id + ".json");
    if (auto ok = cards::saveModelCard(card, cardPath); !ok) return printError(ok.error()), kExitSomeFailed;
    std::fprintf(stderr, "wrote %s and %s\n", out.string().c_str(), cardPath.string().c_str());
    return kExitOk;
}

} // namespace

void registerTrainCommands(CLI::App& app) {
    auto s = std::make_shared<TrainSettings>();
    auto* train = app.add_subcommand("train", "Noisy-student training of the bundled model (corpus, cache, run, eval, export)");
    train->require_subcommand(1);
    auto finish = [](int code) {
        std::fflush(stdout);
        std::exit(code);
    };
    auto common = [s](CLI::App* sub) {
        sub->add_option("--corpus", s->corpus, "Corpus file list (TSV, written by 'train corpus')")->required();
        sub->add_option("--cache", s->cache, "Teacher cache folder")->required();
        sub->add_option("--teachers", s->teachers, "Folder of the upstream teacher checkpoints (<dataset>_<arch>.pth)")->required();
        sub->add_option("--threads", s->threads, "Torch threads")->capture_default_str();
    };
    auto* corpus = train->add_subcommand("corpus", "Probe candidate files and write the corpus list (files >= --min-seconds)");
    corpus->add_option("--candidates", s->candidates, "TSV: path, package, split")->required();
    corpus->add_option("--output", s->output, "Corpus list to write")->required();
    corpus->add_option("--min-seconds", s->minSeconds, "Shortest file kept")->capture_default_str();
    corpus->callback([s, finish] { finish(runCorpus(*s)); });

    auto* cache = train->add_subcommand("cache", "Run the teachers once per file and cache their targets (resumable)");
    common(cache);
    cache->add_option("--splits", s->splits, "Splits to cache, in order (comma separated)")->delimiter(',')->capture_default_str();
    cache->add_option("--max-windows", s->maxWindows, "29 s windows per file (0 = every window that fits: all the audio)")
        ->capture_default_str();
    cache->add_option("--max-minutes", s->maxMinutes, "Stop after this many minutes (0 = no limit)");
    cache->add_option("--mixtures", s->mixtures, "Then label this many mixtures of two train windows of different "
                                                 "packages (waveforms added, the second 0-6 dB down)");
    cache->add_option("--mixture-list", s->mixtureList, "The mixture plan: read when it exists, else planned and written");
    cache->add_option("--mixture-seed", s->mixtureSeed, "Seed of a new mixture plan")->capture_default_str();
    cache->callback([s, finish] { finish(runCache(*s)); });

    auto* run = train->add_subcommand("run", "Train the student on the cached targets; --resume continues a run");
    common(run);
    auto& o = s->trainer;
    run->add_option("--run-dir", s->runDir, "Folder of the run (options, checkpoint, log, best student)")->required();
    run->add_flag("--resume", s->resume, "Continue the run in --run-dir with its stored options");
    run->add_option("--init", s->init, "Start a new run from these student weights (e.g. another run's best_student.safetensors)");
    run->add_option("--steps", o.totalSteps, "Steps of the whole schedule")->capture_default_str();
    run->add_option("--until-step", s->untilStep, "Stop at this step in this session (default: the end)");
    run->add_option("--max-minutes", s->maxMinutes, "Stop (with a checkpoint) after this many minutes");
    run->add_option("--batch", o.batchSize, "Batch size")->capture_default_str();
    run->add_option("--crop", o.cropFrames, "Crop length in mel frames (hop 256 at 16 kHz)")->capture_default_str();
    run->add_option("--lr", o.learningRate, "Peak AdamW learning rate")->capture_default_str();
    run->add_option("--warmup", o.warmupSteps, "Warm-up steps")->capture_default_str();
    run->add_option("--logit-weight", o.logitWeight,
                    "Weight of a logit-space squared error added to the BCE (ranks low-probability tags)")
        ->capture_default_str();
    run->add_option("--rank-weight", o.rankWeight,
                    "Weight of a tag-wise ranking term: 1 - correlation across the batch of student and teacher logits, per tag")
        ->capture_default_str();
    run->add_option("--list-weight", o.listWeight,
                    "Weight of a window-wise list term: per window and vocabulary, KL divergence between the softmax over "
                    "the tags of teacher and student logits (which tags lead a window: the top-5 the held-out score counts)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    run->add_option("--short-crop", o.shortCropFrames,
                    "Every second step, crops of this many frames instead of --crop (e.g. 313 = 5 s beside --crop 1813)");
    run->add_option("--mixtures", s->mixtureList, "Also train on the cached mixtures of this plan (train cache --mixture-list)");
    run->add_option("--coarse", s->coarse, "Coarse head learned with the fine tags: rule (grouped max-pooling with a "
                                           "coarse loss), attention (learned group queries over all fine tags) or "
                                           "attention-members (each query over its group's member tags only)")
        ->check(CLI::IsMember({"rule", "attention", "attention-members"}));
    run->add_option("--taxonomy", s->taxonomy, "Taxonomy whose groups the coarse head learns (with --coarse)");
    run->add_option("--coarse-weight", o.coarseWeight, "Weight of the coarse-level loss")->capture_default_str();
    run->add_option("--vocabulary-weight", s->vocabularyWeightArguments,
                    "Loss weight of one vocabulary's tags, NAME=WEIGHT (e.g. msd_top50=1.5; repeatable; the others 1)");
    run->add_option("--width", s->width, "Student token width (attention_ndim; default 64)");
    run->add_option("--layers", s->layers, "Student transformer layers (attention_nlayers; default 2)");
    run->add_option("--conv-channels", s->convChannels, "Student conv front-end channels (conv_ndim; default 16)");
    run->add_option("--balance-power", o.balancePower,
                    "Draw windows whose top-5 tags are rare more often: weight = mean over their top-5 tags of "
                    "(windows / windows with that tag in their top-5)^P (0 = uniform; 0.5 = square root)")
        ->check(CLI::Range(0.0, 2.0))
        ->capture_default_str();
    run->add_option("--gain-db", o.gainDb, "Noise: random gain in [-G, G] dB added to every crop (0 = off)")
        ->check(CLI::Range(0.0, 40.0))
        ->capture_default_str();
    run->add_option("--frequency-masks", o.frequencyMasks,
                    "Noise: SpecAugment masks of up to " + std::to_string(o.maxFrequencyMask) + " mel bands per crop (0 = off)")
        ->check(CLI::Range(0, 8))
        ->capture_default_str();
    run->add_option("--time-masks", o.timeMasks,
                    "Noise: SpecAugment masks of up to " + std::to_string(o.maxTimeMask) + " frames per crop (0 = off)")
        ->check(CLI::Range(0, 8))
        ->capture_default_str();
    run->add_option("--dropout", s->dropout, "Student dropout (default 0.1)")->check(CLI::Range(0.0, 0.9));
    run->add_option("--seed", o.seed, "Random seed")->capture_default_str();
    run->add_option("--validate-every", s->validateEvery, "Steps between validations")->capture_default_str();
    run->add_option("--checkpoint-every", s->checkpointEvery, "Steps between checkpoints")->capture_default_str();
    run->add_option("--keep-every", s->keepEvery,
                    "Also keep the student of every this many steps (at a validation) as snapshots/step_NNNNNN.safetensors, "
                    "for a choice by held-out ROC-AUC or weight averaging (0 = keep only the best)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    run->callback([s, finish] { finish(runTrain(*s)); });

    auto* eval = train->add_subcommand("eval", "Evaluate a student against the teacher ensemble on a held-out split");
    common(eval);
    eval->add_option("--run-dir", s->runDir, "Run folder (options.json, best_student.safetensors)")->required();
    eval->add_option("--weights", s->weights, "Student weights (default: the run's best student)");
    eval->add_option("--split", s->split, "validation, test, or train (how well the student fits its own training tracks)")
        ->capture_default_str();
    eval->add_option("--taxonomy", s->taxonomy, "Also score the coarse level of a student without a coarse head (max-pooled groups of this taxonomy)");
    eval->add_option("--output", s->evalJson, "JSON file to write (default: <run-dir>/eval_<split>.json)");
    eval->callback([s, finish] { finish(runEval(*s)); });

    auto* exp = train->add_subcommand("export", "Write the run's best student (or --weights) as a model (safetensors + card)");
    common(exp);
    exp->add_option("--run-dir", s->runDir, "Run folder")->required();
    exp->add_option("--models-dir", s->modelsDir, "Folder to write the model to")->capture_default_str();
    exp->add_option("--id", s->id, "Model file stem")->capture_default_str();
    exp->add_option("--card-id", s->cardId, "The model's id (tagscope-cli --model ID)")->capture_default_str();
    for (auto* command : {eval, exp})
        command->add_option("--chunk-frames", s->chunkFrames,
                            "Chunk length in mel frames the student runs at (default: the run's training crop; e.g. 313 = 5 s)");
    exp->add_option("--track-chunk-frames", s->trackChunkFrames,
                    "Track chunks in mel frames: the track's tags come from these longer chunks (e.g. 1813 = 29 s, the "
                    "teachers' window), the taggram and explanations from --chunk-frames; the card's figures are at "
                    "these (default: none, one pass)");
    exp->add_option("--weights", s->weights,
                    "Student weights to export (default: <run-dir>/best_student.safetensors; e.g. a WiSE-FT interpolation of it)");
    exp->callback([s, finish] { finish(runExport(*s)); });

    registerSurrogateTrainCommand(*train, finish);
}

} // namespace tagscope::cli
