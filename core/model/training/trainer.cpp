// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/training/trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <numeric>
#include <numbers>

#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/model/nets/music_tagging_transformer.h"
#include "core/model/nets/tagger_net.h"
#include "core/model/training/grow_student.h"
#include "core/model/torch_shim.h"

namespace tagscope::model::training {
namespace {

constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;
constexpr int64_t kValidationBatch = 32;

// Soft-target binary cross-entropy on probabilities (the nets end in a sigmoid), each tag's
// terms weighted by `tagWeights` when defined.
torch::Tensor softBce(const torch::Tensor& probabilities, const torch::Tensor& targets, const torch::Tensor& tagWeights) {
    const auto p = probabilities.clamp(1e-7, 1.0 - 1e-7);
    return tagWeights.defined() ? torch::binary_cross_entropy(p, targets, tagWeights.unsqueeze(0).expand_as(targets))
                                : torch::binary_cross_entropy(p, targets);
}

torch::Tensor clampedLogit(const torch::Tensor& p) { return torch::logit(p.clamp(1e-3, 1.0 - 1e-3)); }

// Mean over tags of 1 - the correlation across the batch (rows) of student and teacher logits.
// A tag constant on either side has no order to match: it counts as uncorrelated (1).
// `tagWeights` (undefined = all 1, else one weight per tag, mean 1) weights the tags' terms.
torch::Tensor weightedMean(const torch::Tensor& perTag, const torch::Tensor& tagWeights) {
    return tagWeights.defined() ? (perTag * tagWeights).mean() : perTag.mean();
}

torch::Tensor rankLoss(const torch::Tensor& probabilities, const torch::Tensor& targets, const torch::Tensor& tagWeights) {
    auto s = clampedLogit(probabilities), t = clampedLogit(targets);
    s = s - s.mean(0, true);
    t = t - t.mean(0, true);
    const auto correlation = (s * t).sum(0) / (s.norm(2, 0) * t.norm(2, 0) + 1e-6);
    return weightedMean(1.0 - correlation, tagWeights);
}

// Mean over windows and vocabularies (blocks of `block` tags) of the KL divergence from the
// softmax of the teachers' clamped logits over the block's tags to the student's: which tags
// lead a window, and by how much, whatever each tag's level across windows.
torch::Tensor listLoss(const torch::Tensor& probabilities, const torch::Tensor& targets, int64_t block) {
    const int64_t rows = probabilities.size(0), blocks = probabilities.size(1) / block;
    const auto s = clampedLogit(probabilities).reshape({rows, blocks, block});
    const auto t = clampedLogit(targets).reshape({rows, blocks, block});
    const auto teacherLog = torch::log_softmax(t, -1);
    return (teacherLog.exp() * (teacherLog - torch::log_softmax(s, -1))).sum(-1).mean();
}

// The weights of the terms of the objective beside the soft BCE.
struct LossTerms {
    double logit = 0.0, rank = 0.0, list = 0.0;
    int64_t vocabularySize = 50; ///< the blocks the list term compares within
};

// The training objective: soft BCE plus, when asked, squared error of clamped logits, the
// tag-wise ranking term and the window-wise list term; the first three weighted per tag by
// `tagWeights` when defined.
torch::Tensor distillationLoss(const torch::Tensor& probabilities, const torch::Tensor& targets, const LossTerms& terms,
                               const torch::Tensor& tagWeights = {}) {
    auto loss = softBce(probabilities, targets, tagWeights);
    if (terms.logit > 0)
        loss = loss + terms.logit * weightedMean((clampedLogit(probabilities) - clampedLogit(targets)).square(), tagWeights);
    if (terms.rank > 0 && probabilities.size(0) > 1) loss = loss + terms.rank * rankLoss(probabilities, targets, tagWeights);
    if (terms.list > 0) loss = loss + terms.list * listLoss(probabilities, targets, terms.vocabularySize);
    return loss;
}

// Fine loss plus weighted coarse loss when the student has `fine` fine outputs and more. The
// coarse groups are no vocabulary: they have no list term.
torch::Tensor studentLoss(const torch::Tensor& probabilities, const torch::Tensor& targets, int64_t fine,
                          const LossTerms& terms, double coarseWeight, const torch::Tensor& tagWeights) {
    if (fine >= probabilities.size(1)) return distillationLoss(probabilities, targets, terms, tagWeights);
    const int64_t coarse = probabilities.size(1) - fine;
    LossTerms coarseTerms = terms;
    coarseTerms.list = 0.0;
    return distillationLoss(probabilities.narrow(1, 0, fine), targets.narrow(1, 0, fine), terms, tagWeights) +
           coarseWeight * distillationLoss(probabilities.narrow(1, fine, coarse), targets.narrow(1, fine, coarse), coarseTerms);
}

HostTensor bytesAsFloats(const torch::Tensor& bytes) { return toHostTensor(bytes.to(torch::kFloat32)); }
torch::Tensor floatsAsBytes(const HostTensor& h) { return fromHostTensor(h).to(torch::kUInt8); }

} // namespace

std::vector<std::vector<int64_t>> coarseGroupsOf(const nlohmann::json& hyper) {
    std::vector<std::vector<int64_t>> groups;
    if (!hyper.is_object() || !hyper.contains("coarse_head") || !hyper.at("coarse_head").is_string() ||
        hyper.at("coarse_head").get<std::string>().empty() || !hyper.contains("coarse_groups"))
        return groups;
    for (const auto& g : hyper.at("coarse_groups")) {
        std::vector<int64_t> members;
        if (g.is_array())
            for (const auto& m : g)
                if (m.is_number_integer()) members.push_back(m.get<int64_t>());
        groups.push_back(std::move(members));
    }
    return groups;
}

Result<HostTensor> coarseTargets(const HostTensor& fine, const std::vector<std::vector<int64_t>>& groups) {
    if (fine.shape.size() != 2) return fail(Error::Kind::InvalidInput, {}, "fine targets must be W x tags, got " + fine.shapeString());
    const int64_t w = fine.shape[0], f = fine.shape[1], g = int64_t(groups.size());
    HostTensor out{{w, g}, std::vector<float>(size_t(w * g), 0.0f)};
    for (int64_t j = 0; j < g; ++j) {
        if (groups[size_t(j)].empty()) return fail(Error::Kind::InvalidInput, {}, "coarse group " + std::to_string(j) + " has no members");
        for (int64_t m : groups[size_t(j)])
            if (m < 0 || m >= f)
                return fail(Error::Kind::InvalidInput, {}, "coarse group " + std::to_string(j) + " names tag " + std::to_string(m) +
                                                               " of " + std::to_string(f));
        for (int64_t i = 0; i < w; ++i) {
            float best = 0.0f;
            for (int64_t m : groups[size_t(j)]) best = std::max(best, fine.data[size_t(i * f + m)]);
            out.data[size_t(i * g + j)] = best;
        }
    }
    return out;
}

double scheduledLearningRate(int64_t step, int64_t warmupSteps, int64_t totalSteps, double peak) {
    if (warmupSteps > 0 && step < warmupSteps) return peak * double(step + 1) / double(warmupSteps);
    const double span = double(std::max<int64_t>(1, totalSteps - warmupSteps));
    const double progress = std::clamp(double(step - warmupSteps) / span, 0.0, 1.0);
    return peak * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

Result<std::vector<double>> windowSamplingWeights(const HostTensor& targets, int64_t fineTags, int64_t vocabularySize,
                                                  double power) {
    if (targets.shape.size() != 2 || targets.shape[0] == 0 || fineTags <= 0 || fineTags > targets.shape[1] ||
        vocabularySize <= 0 || fineTags % vocabularySize != 0)
        return fail(Error::Kind::InvalidInput, {}, "cannot balance windows of targets " + targets.shapeString() + " with " +
                                                       std::to_string(fineTags) + " fine tags in vocabularies of " +
                                                       std::to_string(vocabularySize));
    if (!std::isfinite(power) || power < 0)
        return fail(Error::Kind::InvalidInput, {}, "the balance power must be finite and not negative, got " + std::to_string(power));
    const int64_t windows = targets.shape[0], columns = targets.shape[1];
    const int64_t top = std::min<int64_t>(5, vocabularySize);
    std::vector<double> weights(size_t(windows), 1.0 / double(windows));
    if (power == 0) return weights;
    // The top-5 of every window in every vocabulary, and how many windows each tag is top-5 in.
    std::vector<int64_t> topTags, count(size_t(fineTags), 0), order(static_cast<size_t>(vocabularySize));
    topTags.reserve(size_t(windows * (fineTags / vocabularySize) * top));
    for (int64_t w = 0; w < windows; ++w)
        for (int64_t v = 0; v < fineTags; v += vocabularySize) {
            const float* row = targets.data.data() + w * columns + v;
            std::iota(order.begin(), order.end(), 0);
            std::partial_sort(order.begin(), order.begin() + top, order.end(),
                              [row](int64_t a, int64_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
            for (int64_t k = 0; k < top; ++k) {
                topTags.push_back(v + order[size_t(k)]);
                ++count[size_t(v + order[size_t(k)])];
            }
        }
    const int64_t perWindow = int64_t(topTags.size()) / windows;
    double sum = 0.0;
    for (int64_t w = 0; w < windows; ++w) {
        double mean = 0.0;
        for (int64_t k = 0; k < perWindow; ++k)
            mean += std::pow(double(windows) / double(count[size_t(topTags[size_t(w * perWindow + k)])]), power);
        weights[size_t(w)] = mean / double(perWindow);
        sum += weights[size_t(w)];
    }
    for (auto& w : weights) w /= sum;
    return weights;
}

struct Trainer::Impl {
    TrainerOptions options;
    TrainerStatus status;
    std::shared_ptr<TaggerNet> net;
    std::vector<std::pair<std::string, torch::Tensor>> params; // trainable, by name
    std::vector<torch::Tensor> m, v;                            // AdamW moments
    torch::Tensor trainMel, trainTargets, validationMel, validationTargets, trainMean;
    torch::Tensor tagWeights; // per fine tag, mean 1; undefined = unweighted
    torch::Tensor windowWeights; // sampling weights of the training windows; undefined = uniform
    at::Generator dataGenerator;
    torch::Tensor dropoutState; // state of the default generator (dropout) between runs
    int64_t fineTags = 0;       // outputs before the coarse groups (all outputs without a coarse head)

    torch::Tensor loss(const torch::Tensor& probabilities, const torch::Tensor& targets) const {
        return studentLoss(probabilities, targets, fineTags,
                           LossTerms{options.logitWeight, options.rankWeight, options.listWeight, options.vocabularySize},
                           options.coarseWeight, tagWeights);
    }

    nlohmann::json optionsJson() const { return trainerOptionsJson(options); }

    // A noisy training batch: random windows, random crops, random gain, SpecAugment masks.
    std::pair<torch::Tensor, torch::Tensor> batch(int64_t crop) {
        const int64_t b = options.batchSize, nMels = trainMel.size(1), frames = trainMel.size(2);
        auto index = windowWeights.defined() ? torch::multinomial(windowWeights, b, /*replacement=*/true, dataGenerator)
                                             : torch::randint(trainMel.size(0), {b}, dataGenerator, torch::kLong);
        auto starts = torch::randint(frames - crop + 1, {b}, dataGenerator, torch::kLong);
        const int masks = options.frequencyMasks + options.timeMasks;
        auto noise = torch::rand({b, 1 + 2 * masks}, dataGenerator, torch::kFloat64);
        auto ia = index.accessor<int64_t, 1>();
        auto sa = starts.accessor<int64_t, 1>();
        auto na = noise.accessor<double, 2>();
        std::vector<torch::Tensor> crops;
        for (int64_t i = 0; i < b; ++i) {
            auto x = trainMel[ia[i]].narrow(1, sa[i], crop).to(torch::kFloat32);
            x.add_(float((2.0 * na[i][0] - 1.0) * options.gainDb));
            const float fill = x.mean().item<float>();
            for (int k = 0; k < masks; ++k) {
                const bool freq = k < options.frequencyMasks;
                const int64_t extent = freq ? nMels : crop;
                const int64_t most = std::min(freq ? options.maxFrequencyMask : options.maxTimeMask, extent);
                const int64_t width = int64_t(na[i][1 + 2 * k] * double(most + 1));
                const int64_t start = int64_t(na[i][2 + 2 * k] * double(extent - width + 1));
                if (width > 0) x.narrow(freq ? 0 : 1, start, std::min(width, extent - start)).fill_(fill);
            }
            crops.push_back(x);
        }
        return {torch::stack(crops), trainTargets.index_select(0, index)};
    }

    double step() {
        const double lr = scheduledLearningRate(status.step, options.warmupSteps, options.totalSteps, options.learningRate);
        net->train();
        const bool shortStep = options.shortCropFrames > 0 && status.step % 2 == 1;
        auto [x, y] = batch(shortStep ? options.shortCropFrames : options.cropFrames);
        for (auto& [name, p] : params) p.mutable_grad() = torch::Tensor();
        auto loss = this->loss(net->forward(x), y);
        loss.backward();
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> tensors;
        for (auto& [name, p] : params) tensors.push_back(p);
        if (options.gradientClip > 0) torch::nn::utils::clip_grad_norm_(tensors, options.gradientClip);
        const double t = double(status.step + 1);
        const double c1 = 1.0 - std::pow(kBeta1, t), c2 = 1.0 - std::pow(kBeta2, t);
        for (size_t i = 0; i < params.size(); ++i) {
            auto& p = params[i].second;
            if (!p.grad().defined()) continue;
            const auto& g = p.grad();
            if (p.dim() >= 2 && options.weightDecay > 0) p.mul_(1.0 - lr * options.weightDecay);
            m[i].mul_(kBeta1).add_(g, 1.0 - kBeta1);
            v[i].mul_(kBeta2).addcmul_(g, g, 1.0 - kBeta2);
            p.addcdiv_(m[i], (v[i] / c2).sqrt_().add_(kEpsilon), -lr / c1);
        }
        ++status.step;
        return loss.item<double>();
    }
};

Trainer::Trainer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Trainer::~Trainer() = default;

const TrainerOptions& Trainer::options() const { return m_impl->options; }
const TrainerStatus& Trainer::status() const { return m_impl->status; }
int64_t Trainer::tagCount() const { return m_impl->trainTargets.size(1); }

Result<std::unique_ptr<Trainer>> Trainer::create(const TrainerOptions& options, WindowSet train, WindowSet validation) {
    const auto& tm = train.mel.shape;
    const auto& tt = train.targets.shape;
    if (tm.size() != 3 || tt.size() != 2 || tm[0] == 0 || tm[0] != tt[0])
        return fail(Error::Kind::InvalidInput, {}, "training windows must be W x mels x frames with W x tags targets, got " +
                                                       train.mel.shapeString() + " and " + train.targets.shapeString());
    if (tm[2] < options.cropFrames)
        return fail(Error::Kind::InvalidInput, {}, "training windows have " + std::to_string(tm[2]) +
                                                       " frames, fewer than the crop of " + std::to_string(options.cropFrames));
    if (options.shortCropFrames < 0 || options.shortCropFrames > tm[2])
        return fail(Error::Kind::InvalidInput, {}, "the short crop of " + std::to_string(options.shortCropFrames) +
                                                       " frames does not fit the training windows of " + std::to_string(tm[2]));
    const auto& vm = validation.mel.shape;
    if (!validation.mel.data.empty() &&
        (vm.size() != 3 || vm[1] != tm[1] || vm[2] < options.cropFrames || validation.targets.shape.size() != 2 ||
         validation.targets.shape[0] != vm[0] || validation.targets.shape[1] != tt[1]))
        return fail(Error::Kind::InvalidInput, {}, "validation windows " + validation.mel.shapeString() +
                                                       " do not fit the training windows " + train.mel.shapeString());
    if (options.batchSize <= 0 || options.totalSteps <= 0 || options.learningRate <= 0)
        return fail(Error::Kind::InvalidInput, {}, "batch size, steps and learning rate must be positive");
    double weightSum = 0.0;
    for (double w : options.tagWeights) {
        if (!std::isfinite(w) || w < 0)
            return fail(Error::Kind::InvalidInput, {}, "tag weights must be finite and not negative, got " + std::to_string(w));
        weightSum += w;
    }
    if (!options.tagWeights.empty() && (int64_t(options.tagWeights.size()) != tt[1] || weightSum <= 0))
        return fail(Error::Kind::InvalidInput, {}, "tag weights must be one per fine tag (" + std::to_string(tt[1]) + "), not all 0; got " +
                                                       std::to_string(options.tagWeights.size()));
    const int64_t fineTags = tt[1];
    if (options.listWeight < 0 || (options.listWeight > 0 && (options.vocabularySize <= 0 || fineTags % options.vocabularySize != 0)))
        return fail(Error::Kind::InvalidInput, {}, "the list term needs a weight >= 0 and the " + std::to_string(fineTags) +
                                                       " tags in whole vocabularies of " + std::to_string(options.vocabularySize));
    std::vector<double> windowWeights;
    if (options.balancePower != 0) {
        auto w = windowSamplingWeights(train.targets, fineTags, options.vocabularySize, options.balancePower);
        if (!w) return fail(w.error());
        windowWeights = std::move(*w);
    }
    // A coarse head learns groups of the fine tags: their targets are appended to the fine ones.
    const auto groups = coarseGroupsOf(options.hyper);
    if (!groups.empty()) {
        for (auto* set : {&train, &validation}) {
            if (set->targets.data.empty()) continue;
            auto coarse = coarseTargets(set->targets, groups);
            if (!coarse) return fail(coarse.error());
            HostTensor joined{{set->targets.shape[0], fineTags + int64_t(groups.size())}, {}};
            joined.data.reserve(size_t(joined.numel()));
            for (int64_t i = 0; i < set->targets.shape[0]; ++i) {
                auto fineRow = set->targets.data.begin() + i * fineTags;
                auto coarseRow = coarse->data.begin() + i * int64_t(groups.size());
                joined.data.insert(joined.data.end(), fineRow, fineRow + fineTags);
                joined.data.insert(joined.data.end(), coarseRow, coarseRow + int64_t(groups.size()));
            }
            set->targets = std::move(joined);
        }
    }
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->fineTags = fineTags;
    try {
        if (at::get_num_threads() != std::max(1, options.threads)) at::set_num_threads(std::max(1, options.threads));
        torch::manual_seed(options.seed);
        auto net = createNet(options.architecture, options.hyper, int(fineTags + int64_t(groups.size())));
        if (!net) return fail(net.error());
        impl->net = *net;
        for (auto& item : impl->net->named_parameters()) {
            impl->params.emplace_back(item.key(), item.value());
            impl->m.push_back(torch::zeros_like(item.value()));
            impl->v.push_back(torch::zeros_like(item.value()));
        }
        impl->dropoutState = at::detail::getDefaultCPUGenerator().get_state();
        impl->dataGenerator = at::make_generator<at::CPUGeneratorImpl>(options.seed + 1);
        // NOTE: half precision halves the memory of the corpus; crops are converted back to float.
        impl->trainMel = torch::from_blob(train.mel.data.data(), train.mel.shape, torch::kFloat32).to(torch::kHalf);
        train.mel = {};
        impl->trainTargets = fromHostTensor(train.targets);
        impl->trainMean = impl->trainTargets.mean(0, true);
        if (!options.tagWeights.empty()) {
            impl->tagWeights = torch::tensor(options.tagWeights, torch::kFloat64).to(torch::kFloat32);
            impl->tagWeights = impl->tagWeights / impl->tagWeights.mean();
        }
        if (!windowWeights.empty()) impl->windowWeights = torch::tensor(windowWeights, torch::kFloat64);
        if (!validation.mel.data.empty()) {
            impl->validationMel =
                torch::from_blob(validation.mel.data.data(), validation.mel.shape, torch::kFloat32).to(torch::kHalf);
            impl->validationTargets = fromHostTensor(validation.targets);
        }
    } catch (const c10::Error& e) {
        return fail(Error::Kind::Internal, {}, std::string("cannot set up training: ") + e.what_without_backtrace());
    } catch (const std::exception& e) {
        return fail(Error::Kind::InvalidInput, {}, std::string("cannot set up training: ") + e.what());
    }
    return std::unique_ptr<Trainer>(new Trainer(std::move(impl)));
}

Result<TrainerStatus> Trainer::run(int64_t untilStep, double stopAfterSeconds, int64_t validateEvery,
                                   int64_t checkpointEvery, const std::filesystem::path& checkpoint,
                                   const std::function<void(const TrainerStatus&)>& report, const CancelToken* cancel) {
    auto& d = *m_impl;
    auto& s = d.status;
    const auto begin = std::chrono::steady_clock::now();
    untilStep = std::min(untilStep, d.options.totalSteps);
    double lossSum = 0.0;
    int64_t lossCount = 0;
    try {
        if (at::get_num_threads() != std::max(1, d.options.threads)) at::set_num_threads(std::max(1, d.options.threads));
        auto defaultGenerator = at::detail::getDefaultCPUGenerator();
        {
            std::lock_guard<std::mutex> lock(defaultGenerator.mutex());
            defaultGenerator.set_state(d.dropoutState);
        }
        while (s.step < untilStep && !isCancelled(cancel)) {
            const auto t0 = std::chrono::steady_clock::now();
            lossSum += d.step();
            ++lossCount;
            const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            s.trainingSeconds += dt;
            s.secondsPerStep = s.secondsPerStep > 0 ? 0.9 * s.secondsPerStep + 0.1 * dt : dt;
            const bool last = s.step == untilStep ||
                              (stopAfterSeconds > 0 &&
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count() >= stopAfterSeconds);
            if ((validateEvery > 0 && s.step % validateEvery == 0) || last) {
                s.trainLoss = lossSum / double(std::max<int64_t>(1, lossCount));
                lossSum = 0.0;
                lossCount = 0;
                {
                    std::lock_guard<std::mutex> lock(defaultGenerator.mutex());
                    d.dropoutState = defaultGenerator.get_state();
                }
                if (auto ok = validate(); !ok) return fail(ok.error());
                if (report) report(s);
            }
            if (!checkpoint.empty() && ((checkpointEvery > 0 && s.step % checkpointEvery == 0) || last)) {
                {
                    std::lock_guard<std::mutex> lock(defaultGenerator.mutex());
                    d.dropoutState = defaultGenerator.get_state();
                }
                if (auto ok = saveCheckpoint(checkpoint); !ok) return fail(ok.error());
            }
            if (last) break;
        }
        std::lock_guard<std::mutex> lock(defaultGenerator.mutex());
        d.dropoutState = defaultGenerator.get_state();
    } catch (const c10::Error& e) {
        return fail(Error::Kind::Internal, checkpoint, std::string("training step failed: ") + e.what_without_backtrace());
    }
    if (isCancelled(cancel)) {
        if (!checkpoint.empty())
            if (auto ok = saveCheckpoint(checkpoint); !ok) return fail(ok.error());
        return fail(Error::cancelled());
    }
    return s;
}

Result<void> Trainer::validate() {
    auto& d = *m_impl;
    if (!d.validationMel.defined()) return {};
    try {
        torch::NoGradGuard noGrad;
        d.net->eval();
        const int64_t w = d.validationMel.size(0), start = (d.validationMel.size(2) - d.options.cropFrames) / 2;
        double sum = 0.0;
        for (int64_t i = 0; i < w; i += kValidationBatch) {
            const int64_t n = std::min(kValidationBatch, w - i);
            auto x = d.validationMel.narrow(0, i, n).narrow(2, start, d.options.cropFrames).to(torch::kFloat32);
            sum += d.loss(d.net->forward(x), d.validationTargets.narrow(0, i, n)).item<double>() * double(n);
        }
        d.status.validationLoss = sum / double(w);
        d.status.baselineLoss =
            d.loss(d.trainMean.expand_as(d.validationTargets), d.validationTargets).item<double>();
        if (d.status.bestValidationLoss < 0 || d.status.validationLoss < d.status.bestValidationLoss)
            d.status.bestValidationLoss = d.status.validationLoss;
    } catch (const c10::Error& e) {
        return fail(Error::Kind::Internal, {}, std::string("validation failed: ") + e.what_without_backtrace());
    }
    return {};
}

Result<void> Trainer::saveCheckpoint(const std::filesystem::path& path) const {
    const auto& d = *m_impl;
    TensorMap tensors;
    for (auto& [key, value] : stateDict(*d.net)) tensors["model." + key] = std::move(value);
    for (size_t i = 0; i < d.params.size(); ++i) {
        tensors["adamw.m." + d.params[i].first] = toHostTensor(d.m[i]);
        tensors["adamw.v." + d.params[i].first] = toHostTensor(d.v[i]);
    }
    tensors["rng.data"] = bytesAsFloats(d.dataGenerator.get_state());
    tensors["rng.dropout"] = bytesAsFloats(d.dropoutState);
    const auto& s = d.status;
    std::map<std::string, std::string> meta{{"format", "tagscope-training-checkpoint-1"},
                                            {"options", d.optionsJson().dump()},
                                            {"step", std::to_string(s.step)},
                                            {"training_seconds", std::to_string(s.trainingSeconds)},
                                            {"best_validation_loss", std::to_string(s.bestValidationLoss)},
                                            {"tags", std::to_string(d.trainTargets.size(1))}};
    return io::writeSafetensors(path, tensors, meta);
}

Result<void> Trainer::loadCheckpoint(const std::filesystem::path& path) {
    auto& d = *m_impl;
    auto file = io::readSafetensors(path);
    if (!file) return fail(file.error());
    auto& meta = file->metadata;
    if (meta["format"] != "tagscope-training-checkpoint-1")
        return fail(Error::Kind::InvalidInput, path, "not a tagscope training checkpoint");
    if (meta["options"] != d.optionsJson().dump())
        return fail(Error::Kind::Mismatch, path, "was written with other training options: " + meta["options"]);
    if (meta["tags"] != std::to_string(d.trainTargets.size(1)))
        return fail(Error::Kind::Mismatch, path, "was written for " + meta["tags"] + " tags");
    auto& t = file->tensors;
    if (auto ok = loadStateDict(*d.net, io::selectKeyPrefix(t, "model."), path); !ok) return fail(ok.error());
    try {
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < d.params.size(); ++i) {
            const auto& name = d.params[i].first;
            auto mi = t.find("adamw.m." + name), vi = t.find("adamw.v." + name);
            if (mi == t.end() || vi == t.end()) return fail(Error::Kind::Mismatch, path, "lacks the optimizer state of " + name);
            d.m[i].copy_(fromHostTensor(mi->second).view(d.m[i].sizes()));
            d.v[i].copy_(fromHostTensor(vi->second).view(d.v[i].sizes()));
        }
        if (!t.count("rng.data") || !t.count("rng.dropout"))
            return fail(Error::Kind::InvalidInput, path, "lacks the random generator state");
        d.dataGenerator.set_state(floatsAsBytes(t["rng.data"]));
        d.dropoutState = floatsAsBytes(t["rng.dropout"]);
        d.status.step = std::stoll(meta["step"]);
        d.status.trainingSeconds = std::stod(meta["training_seconds"]);
        d.status.bestValidationLoss = std::stod(meta["best_validation_loss"]);
    } catch (const std::exception& e) {
        return fail(Error::Kind::InvalidInput, path, std::string("damaged checkpoint: ") + e.what());
    }
    return {};
}

nlohmann::json trainerOptionsJson(const TrainerOptions& o) {
    nlohmann::json j = {{"architecture", o.architecture},   {"hyper", o.hyper},
                        {"crop_frames", o.cropFrames},     {"batch_size", o.batchSize},
                        {"total_steps", o.totalSteps},     {"warmup_steps", o.warmupSteps},
                        {"learning_rate", o.learningRate}, {"weight_decay", o.weightDecay},
                        {"gradient_clip", o.gradientClip}, {"gain_db", o.gainDb},
                        {"frequency_masks", o.frequencyMasks}, {"max_frequency_mask", o.maxFrequencyMask},
                        {"time_masks", o.timeMasks},       {"max_time_mask", o.maxTimeMask},
                        {"seed", o.seed}};
    // NOTE: written only when used, so checkpoints of runs without it still resume.
    if (o.logitWeight > 0) j["logit_weight"] = o.logitWeight;
    if (o.rankWeight > 0) j["rank_weight"] = o.rankWeight;
    if (o.shortCropFrames > 0) j["short_crop_frames"] = o.shortCropFrames;
    if (!coarseGroupsOf(o.hyper).empty()) j["coarse_weight"] = o.coarseWeight;
    if (!o.vocabularyWeights.empty()) j["vocabulary_weights"] = o.vocabularyWeights;
    if (o.listWeight > 0) j["list_weight"] = o.listWeight;
    if (o.balancePower > 0 || o.listWeight > 0) j["vocabulary_size"] = o.vocabularySize;
    if (o.balancePower > 0) j["balance_power"] = o.balancePower;
    return j;
}

Result<GrowthReport> Trainer::initialiseStudent(const TensorMap& weights, const std::filesystem::path& source) {
    if (m_impl->status.step != 0)
        return fail(Error::Kind::InvalidInput, source, "a student can only be initialised before the first step");
    // NOTE: a coarse head the source lacks keeps its fresh initialisation; a deeper or wider
    // student grows from a smaller one (growStudent), starting as exactly its function.
    auto grown = growStudent(weights, stateDict(*m_impl->net),
                             m_impl->options.hyper.value("attention_nheads", MusicTaggingTransformerConfig{}.attentionNheads), source,
                             uint32_t(m_impl->options.seed));
    if (!grown) return fail(grown.error());
    if (auto ok = loadStateDict(*m_impl->net, grown->weights, source); !ok) return fail(ok.error());
    return GrowthReport{grown->addedLayers, grown->widthFactor, grown->convChannelsFrom, grown->convChannels};
}

TensorMap Trainer::studentWeights() const { return stateDict(*m_impl->net); }

Result<HostTensor> Trainer::predict(const HostTensor& mel) const {
    try {
        torch::NoGradGuard noGrad;
        m_impl->net->eval();
        return toHostTensor(m_impl->net->forward(fromHostTensor(mel)));
    } catch (const c10::Error& e) {
        return fail(Error::Kind::InvalidInput, {}, std::string("student forward failed: ") + e.what_without_backtrace());
    }
}

} // namespace tagscope::model::training
