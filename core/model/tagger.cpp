// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/tagger.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include "core/common/heap_tuning.h"
#include "core/io/file_util.h"
#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/model/engine/tagger_impl.h"

namespace tagscope::model {
namespace {

constexpr size_t kPredictBatch = 8;

Error withContext(Error e, const cards::ModelCard& card) {
    const std::string name = card.id.empty() ? card.cardPath.filename().string() : card.id;
    e.message = "loading model '" + name + "': " + e.message;
    return e;
}

Result<torch::Device> chooseDevice(const std::string& requested) {
    std::string d = requested;
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (d.empty() || d == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    if (d == "cpu") return torch::Device(torch::kCPU);
    if (d == "cuda" || d.starts_with("cuda:")) {
        if (!torch::cuda::is_available())
            return fail(Error::Kind::InvalidInput, {}, "device '" + requested +
                        "' was requested but no CUDA device is available (use \"cpu\" or \"auto\")");
        int index = 0;
        if (d.size() > 5) {
            try {
                index = std::stoi(d.substr(5));
            } catch (const std::exception&) {
                return fail(Error::Kind::InvalidInput, {}, "device '" + requested + "' is not a valid CUDA device name");
            }
        }
        if (index < 0 || index >= int(torch::cuda::device_count()))
            return fail(Error::Kind::InvalidInput, {}, "device '" + requested + "' does not exist (" +
                        std::to_string(torch::cuda::device_count()) + " CUDA devices)");
        return torch::Device(torch::kCUDA, c10::DeviceIndex(index));
    }
    return fail(Error::Kind::InvalidInput, {}, "unknown device '" + requested + "' (use auto, cpu, cuda or cuda:N)");
}

Result<TensorMap> readWeights(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return fail(Error::Kind::NotFound, path, "weights file not found");
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == ".safetensors") {
        auto file = io::readSafetensors(path);
        if (!file) return fail(file.error());
        return std::move(file->tensors);
    }
    if (ext == ".pth" || ext == ".ckpt" || ext == ".pt" || ext == ".bin") return io::readTorchCheckpoint(path);
    return fail(Error::Kind::InvalidInput, path,
                "unknown weights format '" + ext + "' (expected .safetensors, .pth, .pt or .ckpt)");
}

Result<void> checkSha256(const cards::ModelCard& card) {
    if (card.sha256.empty()) return {};
    auto digest = io::sha256File(card.weightsPath);
    if (!digest) return fail(digest.error());
    std::string expected = card.sha256;
    std::transform(expected.begin(), expected.end(), expected.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (*digest != expected)
        return fail(Error::Kind::Mismatch, card.weightsPath,
                    "weights file does not match the model card's sha256 (expected " + expected + ", file has " +
                        *digest + "); the file is damaged or belongs to another model");
    return {};
}

int resolveThreads(int requested) {
    if (requested > 0) return requested;
    return std::max(1, int(std::thread::hardware_concurrency()));
}

} // namespace

Tagger::Impl::Impl(cards::ModelCard c, std::shared_ptr<TaggerNet> n, torch::Device d, int nThreads)
    : card(std::move(c)), net(std::move(n)), device(d), mel(card.mel), threads(nThreads) {
    if (!card.taxonomyPath) return;
    if (auto t = tags::loadTaxonomy(*card.taxonomyPath)) taxonomy = std::move(*t);
    else taxonomyProblem = t.error().message;
}

void Tagger::Impl::applyThreads() const {
    if (at::get_num_threads() != threads) at::set_num_threads(threads);
}

dsp::Spectrogram Tagger::Impl::chunkMel(std::span<const float> samples) const {
    const auto n = size_t(card.chunkSamples);
    if (samples.size() == n) return mel.decibels(samples);
    std::vector<float> padded(n, 0.0f);
    std::copy_n(samples.begin(), std::min(samples.size(), n), padded.begin());
    return mel.decibels(padded);
}

torch::Tensor Tagger::Impl::melBatch(const std::vector<dsp::Spectrogram>& mels) const {
    const int64_t b = int64_t(mels.size());
    const int64_t m = mels.front().nMels, t = mels.front().nFrames;
    auto out = torch::empty({b, m, t}, torch::kFloat32);
    for (int64_t i = 0; i < b; ++i) {
        const auto& s = mels[size_t(i)];
        TORCH_CHECK(s.nMels == m && s.nFrames == t, "mel spectrograms of a batch differ in size");
        std::copy(s.values.begin(), s.values.end(), out[i].data_ptr<float>());
    }
    return out.to(device);
}

std::vector<std::vector<float>> tensorRows(const torch::Tensor& t) {
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous().view({t.size(0), -1});
    std::vector<std::vector<float>> rows(size_t(c.size(0)));
    const float* p = c.data_ptr<float>();
    for (size_t r = 0; r < rows.size(); ++r) rows[r].assign(p + r * size_t(c.size(1)), p + (r + 1) * size_t(c.size(1)));
    return rows;
}

Result<std::unique_ptr<Tagger>> makeTagger(cards::ModelCard card, std::shared_ptr<TaggerNet> net,
                                           const LoadOptions& options, bool optimize) {
    if (card.chunkSamples <= 0)
        return fail(Error::Kind::InvalidInput, card.cardPath, "model card has no chunk length");
    if (card.mel.sampleRate != card.sampleRate) card.mel.sampleRate = card.sampleRate;
    if (auto ok = dsp::MelSpectrogram::validate(card.mel); !ok)
        return fail(Error::Kind::InvalidInput, card.cardPath, "unusable mel settings: " + ok.error().message);
    if (card.hasTrackChunks()) {
        const int64_t frames = card.mel.frameCount(size_t(card.trackChunkSamples));
        if (net->maxFrames() == 0)
            return fail(Error::Kind::InvalidInput, card.cardPath,
                        "model card has track_chunk_samples, but architecture '" + card.architecture +
                            "' runs only at its chunk length (track chunks need a length-free model: mtt)");
        if (frames > net->maxFrames())
            return fail(Error::Kind::InvalidInput, card.cardPath,
                        "model card's track_chunk_samples (" + std::to_string(card.trackChunkSamples) + ") give " +
                            std::to_string(frames) + " mel frames; the model takes at most " +
                            std::to_string(net->maxFrames()));
    }
    auto device = chooseDevice(options.device);
    if (!device) return fail(device.error());
    try {
        const int threads = resolveThreads(options.threads);
        at::set_num_threads(threads);
        tuneHeapForTensors();
        net->to(*device);
        net->eval();
        if (optimize) {
            torch::NoGradGuard noGrad;
            net->optimizeForInference();
        }
        return Tagger::fromImpl(std::make_unique<Tagger::Impl>(std::move(card), std::move(net), *device, threads));
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, card.weightsPath, std::string("cannot prepare the model: ") + e.what());
    }
}

Result<std::unique_ptr<Tagger>> Tagger::load(const cards::ModelCard& card, const LoadOptions& options) {
    try {
        if (card.tagCount() == 0) return fail(withContext(Error::make(Error::Kind::InvalidInput, card.cardPath, "model card lists no tags"), card));
        if (auto ok = checkSha256(card); !ok) return fail(withContext(ok.error(), card));
        auto weights = readWeights(card.weightsPath);
        if (!weights) return fail(withContext(weights.error(), card));
        auto net = createNet(card.architecture, card.hyperParameters, int(card.tagCount()));
        if (!net) return fail(withContext(net.error(), card));
        if (auto ok = loadStateDict(**net, *weights, card.weightsPath, card.weightsKeyPrefix); !ok)
            return fail(withContext(ok.error(), card));
        weights->clear();
        auto tagger = makeTagger(card, *net, options);
        if (!tagger) return fail(withContext(tagger.error(), card));
        return tagger;
    } catch (const std::exception& e) {
        return fail(withContext(Error::make(Error::Kind::Internal, card.weightsPath, e.what()), card));
    }
}

std::unique_ptr<Tagger> Tagger::fromImpl(std::unique_ptr<Impl> impl) {
    return std::unique_ptr<Tagger>(new Tagger(std::move(impl)));
}

Tagger::Tagger(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Tagger::~Tagger() = default;

const cards::ModelCard& Tagger::card() const { return m_impl->card; }
std::string Tagger::deviceName() const { return m_impl->device.str(); }
bool Tagger::hasAttention() const { return m_impl->net->hasAttention(); }
int Tagger::attentionLayers() const { return m_impl->net->attentionLayers(); }
int Tagger::attentionHeads() const { return m_impl->net->attentionHeads(); }
const dsp::MelSpectrogram& Tagger::melFrontEnd() const { return m_impl->mel; }

Result<std::vector<std::vector<float>>> Tagger::predict(const std::vector<std::vector<float>>& chunks,
                                                        const CancelToken* cancel) {
    const auto n = size_t(m_impl->card.chunkSamples);
    for (size_t i = 0; i < chunks.size(); ++i)
        if (chunks[i].size() != n)
            return fail(Error::Kind::InvalidInput, {}, "chunk " + std::to_string(i) + " has " +
                        std::to_string(chunks[i].size()) + " samples; the model needs exactly " + std::to_string(n));
    std::vector<std::vector<float>> out;
    out.reserve(chunks.size());
    try {
        m_impl->applyThreads();
        c10::InferenceMode inference;
        for (size_t first = 0; first < chunks.size(); first += kPredictBatch) {
            if (isCancelled(cancel)) return fail(Error::cancelled());
            std::vector<dsp::Spectrogram> mels;
            for (size_t i = first; i < std::min(chunks.size(), first + kPredictBatch); ++i)
                mels.push_back(m_impl->chunkMel(chunks[i]));
            auto rows = tensorRows(m_impl->net->forward(m_impl->melBatch(mels)));
            for (auto& r : rows) out.push_back(std::move(r));
        }
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, m_impl->card.weightsPath, std::string("model inference failed: ") + e.what());
    }
    return out;
}

} // namespace tagscope::model
