// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/training/evaluate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "core/io/safetensors.h"
#include "core/model/nets/tagger_net.h"
#include "core/model/torch_shim.h"

namespace tagscope::model::training {
namespace {

std::vector<double> averageRanks(const std::vector<float>& x) {
    std::vector<size_t> order(x.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
    std::vector<double> ranks(x.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
        const double rank = 0.5 * double(i + j) + 1.0;
        for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

double mean(const std::vector<double>& values) {
    double sum = 0.0;
    size_t n = 0;
    for (double v : values)
        if (std::isfinite(v)) sum += v, ++n;
    return n ? sum / double(n) : std::numeric_limits<double>::quiet_NaN();
}

nlohmann::json toJson(const AgreementMetrics& m) {
    nlohmann::json perTag = nlohmann::json::array();
    for (double roc : m.tagRocAuc) perTag.push_back(std::isfinite(roc) ? nlohmann::json(roc) : nlohmann::json(nullptr));
    return {{"roc_auc", m.rocAuc},         {"pr_auc", m.prAuc},   {"spearman", m.spearman},
            {"tags_scored", m.tagsScored}, {"tag_roc_auc", perTag}, {"tag_positives", m.tagPositives}};
}

// Column block [offset, offset + tags) of a W x K matrix, averaged over rows.
std::vector<float> meanRows(const HostTensor& t, size_t offset, size_t tags) {
    const size_t rows = size_t(t.shape[0]), cols = size_t(t.shape[1]);
    std::vector<float> out(tags, 0.0f);
    for (size_t r = 0; r < rows; ++r)
        for (size_t k = 0; k < tags; ++k) out[k] += t.data[r * cols + offset + k] / float(rows);
    return out;
}

} // namespace

double rocAuc(const std::vector<float>& scores, const std::vector<int>& labels) {
    const auto ranks = averageRanks(scores);
    double positives = 0, rankSum = 0;
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i]) positives += 1, rankSum += ranks[i];
    const double negatives = double(labels.size()) - positives;
    if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
    return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
}

double averagePrecision(const std::vector<float>& scores, const std::vector<int>& labels) {
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    const double positives = double(std::count(labels.begin(), labels.end(), 1));
    if (positives == 0) return std::numeric_limits<double>::quiet_NaN();
    double hits = 0, sum = 0;
    for (size_t i = 0; i < order.size(); ++i)
        if (labels[order[i]]) hits += 1, sum += hits / double(i + 1);
    return sum / positives;
}

double spearman(const std::vector<float>& a, const std::vector<float>& b) {
    const auto ra = averageRanks(a), rb = averageRanks(b);
    const double n = double(ra.size());
    const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n, mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < ra.size(); ++i) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

AgreementMetrics compareToReference(const ScoreMatrix& model, const ScoreMatrix& reference, size_t topK) {
    const size_t tracks = reference.tracks, tags = reference.tags;
    std::vector<int> labels(tracks * tags, 0);
    for (size_t t = 0; t < tracks; ++t) {
        std::vector<size_t> order(tags);
        std::iota(order.begin(), order.end(), size_t{0});
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return reference.at(t, a) > reference.at(t, b); });
        for (size_t k = 0; k < std::min(topK, tags); ++k) labels[t * tags + order[k]] = 1;
    }
    std::vector<double> rocs, aps, rhos, perTag(tags);
    std::vector<size_t> positives(tags, 0);
    for (size_t k = 0; k < tags; ++k) {
        std::vector<float> s(tracks);
        std::vector<int> l(tracks);
        for (size_t t = 0; t < tracks; ++t) s[t] = model.at(t, k), l[t] = labels[t * tags + k], positives[k] += size_t(l[t]);
        const double roc = rocAuc(s, l);
        perTag[k] = roc;
        if (!std::isfinite(roc)) continue;
        rocs.push_back(roc);
        aps.push_back(averagePrecision(s, l));
    }
    for (size_t t = 0; t < tracks; ++t) {
        std::vector<float> a(model.values.begin() + long(t * tags), model.values.begin() + long((t + 1) * tags));
        std::vector<float> b(reference.values.begin() + long(t * tags), reference.values.begin() + long((t + 1) * tags));
        rhos.push_back(spearman(a, b));
    }
    return {mean(rocs), mean(aps), mean(rhos), rocs.size(), std::move(perTag), std::move(positives)};
}

GapEstimate bootstrapGap(const ScoreMatrix& model, const ScoreMatrix& rival, const ScoreMatrix& reference, double bound,
                         size_t samples, uint32_t seed) {
    GapEstimate e;
    e.gap = compareToReference(rival, reference).rocAuc - compareToReference(model, reference).rocAuc;
    const size_t tracks = reference.tracks, tags = reference.tags;
    if (tracks == 0 || model.tracks != tracks || rival.tracks != tracks) return e;
    std::mt19937 rng(seed);
    std::uniform_int_distribution<size_t> pick(0, tracks - 1);
    auto resampled = [&](const ScoreMatrix& m, const std::vector<size_t>& rows) {
        ScoreMatrix r{rows.size(), tags, {}};
        r.values.reserve(rows.size() * tags);
        for (size_t t : rows) r.values.insert(r.values.end(), m.values.begin() + long(t * tags), m.values.begin() + long((t + 1) * tags));
        return r;
    };
    std::vector<double> gaps;
    std::vector<size_t> rows(tracks);
    for (size_t b = 0; b < samples; ++b) {
        for (auto& t : rows) t = pick(rng);
        const auto ref = resampled(reference, rows);
        const double g = compareToReference(resampled(rival, rows), ref).rocAuc - compareToReference(resampled(model, rows), ref).rocAuc;
        if (std::isfinite(g)) gaps.push_back(g);
    }
    e.samples = gaps.size();
    if (gaps.empty()) return e;
    std::sort(gaps.begin(), gaps.end());
    auto percentile = [&](double q) { return gaps[std::min(gaps.size() - 1, size_t(q * double(gaps.size() - 1) + 0.5))]; };
    e.low = percentile(0.05);
    e.high = percentile(0.95);
    e.shareAtMost = double(std::count_if(gaps.begin(), gaps.end(), [&](double g) { return g <= bound; })) / double(gaps.size());
    return e;
}

Result<StudentFn> loadStudent(const std::string& architecture, const nlohmann::json& hyper, int nTags,
                              const std::filesystem::path& weights, int threads) {
    auto file = io::readSafetensors(weights);
    if (!file) return fail(file.error());
    auto net = createNet(architecture, hyper, nTags);
    if (!net) return fail(net.error());
    if (auto ok = loadStateDict(**net, file->tensors, weights); !ok) return fail(ok.error());
    (*net)->eval();
    std::shared_ptr<TaggerNet> shared = *net;
    return StudentFn([shared, threads, weights](const HostTensor& mel) -> Result<HostTensor> {
        try {
            c10::InferenceMode guard;
            if (at::get_num_threads() != std::max(1, threads)) at::set_num_threads(std::max(1, threads));
            auto x = torch::from_blob(const_cast<float*>(mel.data.data()), mel.shape, torch::kFloat32);
            auto y = shared->forward(x).contiguous();
            HostTensor out;
            out.shape.assign(y.sizes().begin(), y.sizes().end());
            out.data.assign(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
            return out;
        } catch (const c10::Error& e) {
            return fail(Error::Kind::InvalidInput, weights, std::string("student forward failed: ") + e.what_without_backtrace());
        }
    });
}

Result<nlohmann::json> evaluateAgainstEnsemble(const std::vector<CachedTrack>& tracks,
                                               const std::vector<std::string>& vocabularies,
                                               const std::vector<TeacherSpec>& teachers, const StudentFn& student,
                                               int64_t cropFrames,
                                               const std::vector<std::vector<int64_t>>& coarseGroups) {
    if (tracks.empty()) return fail(Error::Kind::InvalidInput, {}, "no held-out tracks are cached");
    constexpr size_t kTags = 50;
    const size_t nVocab = vocabularies.size();
    // Track-level scores per (model, vocabulary).
    std::map<std::string, std::map<std::string, ScoreMatrix>> scores;
    auto append = [&](const std::string& model, const std::string& vocabulary, const std::vector<float>& row) {
        auto& m = scores[model][vocabulary];
        m.tags = kTags;
        m.tracks += 1;
        m.values.insert(m.values.end(), row.begin(), row.end());
    };
    for (const auto& track : tracks) {
        const int64_t w = track.mel.shape[0], mels = track.mel.shape[1], frames = track.mel.shape[2];
        if (cropFrames < 1 || cropFrames > frames)
            return fail(Error::Kind::InvalidInput, {}, "chunks of " + std::to_string(cropFrames) +
                                                           " frames do not fit the cached windows of " +
                                                           std::to_string(frames) + " frames");
        // Chunks spread evenly over the whole window, the last one ending at its end: a chunk that
        // does not divide the window (15 s of 29 s) still hears all of it, as the tagger does.
        const int64_t crops = (frames + cropFrames - 1) / cropFrames;
        HostTensor batch{{w * crops, mels, cropFrames}, {}};
        batch.data.reserve(size_t(batch.numel()));
        for (int64_t i = 0; i < w; ++i)
            for (int64_t c = 0; c < crops; ++c) {
                const int64_t start = crops == 1 ? 0 : (c * (frames - cropFrames) + (crops - 1) / 2) / (crops - 1);
                for (int64_t m = 0; m < mels; ++m) {
                    const float* row = track.mel.data.data() + (i * mels + m) * frames + start;
                    batch.data.insert(batch.data.end(), row, row + cropFrames);
                }
            }
        auto predicted = student(batch);
        if (!predicted) return fail(predicted.error());
        const size_t fine = nVocab * kTags, groups = coarseGroups.size();
        if (predicted->shape.size() != 2 ||
            (size_t(predicted->shape[1]) != fine && (groups == 0 || size_t(predicted->shape[1]) != fine + groups)))
            return fail(Error::Kind::Mismatch, {}, "student outputs " + predicted->shapeString() + ", expected " +
                                                       std::to_string(fine) + " tags" +
                                                       (groups ? " (or " + std::to_string(fine + groups) + " with its groups)" : ""));
        if (groups) {
            const auto studentFine = meanRows(*predicted, 0, fine);
            std::vector<float> reference, posthoc;
            std::vector<float> ensembleFine;
            for (const auto& vocabulary : vocabularies) {
                auto it = track.ensemble.find(vocabulary);
                if (it == track.ensemble.end()) return fail(Error::Kind::Mismatch, {}, "track lacks " + vocabulary + " targets");
                const auto row = meanRows(it->second, 0, kTags);
                ensembleFine.insert(ensembleFine.end(), row.begin(), row.end());
            }
            for (const auto& group : coarseGroups) {
                float r = 0.0f, p = 0.0f;
                for (int64_t m : group) {
                    if (m < 0 || size_t(m) >= fine) return fail(Error::Kind::InvalidInput, {}, "coarse group member out of range");
                    r = std::max(r, ensembleFine[size_t(m)]);
                    p = std::max(p, studentFine[size_t(m)]);
                }
                reference.push_back(r);
                posthoc.push_back(p);
            }
            auto appendCoarse = [&](const std::string& model, const std::vector<float>& row) {
                auto& m = scores[model]["coarse"];
                m.tags = groups;
                m.tracks += 1;
                m.values.insert(m.values.end(), row.begin(), row.end());
            };
            appendCoarse("ensemble", reference);
            appendCoarse("posthoc", posthoc);
            if (size_t(predicted->shape[1]) == fine + groups) appendCoarse("learned", meanRows(*predicted, fine, groups));
        }
        for (size_t v = 0; v < nVocab; ++v) {
            const auto& vocabulary = vocabularies[v];
            auto it = track.ensemble.find(vocabulary);
            if (it == track.ensemble.end()) return fail(Error::Kind::Mismatch, {}, "track lacks " + vocabulary + " targets");
            append("ensemble", vocabulary, meanRows(it->second, 0, kTags));
            append("student", vocabulary, meanRows(*predicted, v * kTags, kTags));
            for (const auto& spec : teachers)
                if (spec.dataset + "_top50" == vocabulary) append(spec.id, vocabulary, meanRows(track.teachers.at(spec.id), 0, kTags));
        }
    }
    nlohmann::json result = {{"tracks", tracks.size()},
                             {"positives", "top-5 tags of the teacher ensemble's track-level scores"}};
    for (const auto& vocabulary : vocabularies) {
        nlohmann::json v;
        std::string best;
        double bestRoc = -1.0;
        for (const auto& [model, byVocabulary] : scores) {
            if (model == "ensemble" || !byVocabulary.count(vocabulary)) continue;
            const auto metrics = compareToReference(byVocabulary.at(vocabulary), scores["ensemble"][vocabulary]);
            v[model] = toJson(metrics);
            if (model != "student" && std::isfinite(metrics.rocAuc) && metrics.rocAuc > bestRoc) best = model, bestRoc = metrics.rocAuc;
        }
        // NOTE: 32 tracks are few; the interval says how far the gap could move with other tracks.
        if (!best.empty()) {
            constexpr double kBound = 0.03;
            const auto e = bootstrapGap(scores["student"][vocabulary], scores[best][vocabulary], scores["ensemble"][vocabulary], kBound);
            v["gap_to_best_teacher"] = {{"teacher", best},
                                        {"gap", e.gap},
                                        {"bootstrap", {{"samples", e.samples},
                                                       {"p05", e.low},
                                                       {"p95", e.high},
                                                       {"bound", kBound},
                                                       {"share_at_most_bound", e.shareAtMost}}}};
        }
        result[vocabulary] = v;
    }
    // Judged by one teacher instead of the ensemble: each teacher's own top-5 tags are the
    // positives, and the student and the other teachers are scored against them. The ensemble
    // holds each teacher, so against it a teacher is partly scored against itself; here no
    // model is, which shows how much of a student-teacher gap is that advantage.
    nlohmann::json byTeacher = nlohmann::json::object();
    for (const auto& vocabulary : vocabularies)
        for (const auto& spec : teachers) {
            if (spec.dataset + "_top50" != vocabulary || !scores.count(spec.id)) continue;
            for (const auto& [model, byVocabulary] : scores) {
                if (model == "ensemble" || model == spec.id || !byVocabulary.count(vocabulary)) continue;
                byTeacher[vocabulary][spec.id][model] =
                    toJson(compareToReference(byVocabulary.at(vocabulary), scores[spec.id][vocabulary]));
            }
        }
    result["by_teacher"] = byTeacher;
    if (!coarseGroups.empty()) {
        nlohmann::json c = {{"groups", coarseGroups.size()},
                            {"positives", "top-5 groups of the max of each group's ensemble scores"}};
        for (const char* model : {"posthoc", "learned"})
            if (scores.count(model)) c[model] = toJson(compareToReference(scores[model]["coarse"], scores["ensemble"]["coarse"]));
        result["coarse"] = c;
    }
    return result;
}

} // namespace tagscope::model::training
