// SPDX-License-Identifier: GPL-3.0-or-later
// Inference speed of the tagging architectures (random weights) on this machine: seconds of
// compute per second of audio, achieved GFLOP/s, and that as a ratio of a large float32 GEMM's
// GFLOP/s measured by the same binary in the same run (the machine's attainable peak through
// OpenBLAS). Multiply-adds are counted by walking the autograd graph of one forward pass
// (convolutions, linear layers, GRU cells, attention matmuls; 1 MAC = 2 FLOP).
//
// A 4-minute track's model time is 240 x the "s per s audio" column.
//
// Usage: tagscope_bench_models [--threads N] [--quick] [--models fcn,musicnn,...,student,stu-wide,...]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <torch/csrc/autograd/function.h>

#include "core/common/heap_tuning.h"
#include "core/model/nets/architectures.h"
#include "core/model/nets/tagger_net.h"

namespace {

using tagscope::model::TaggerNet;
using Clock = std::chrono::steady_clock;

/// A benchmarked model: architecture, hyper-parameters and the chunk it takes.
struct ModelSpec {
    std::string name;
    std::string architecture;
    nlohmann::json hyper;
    int64_t nMels;
    int64_t frames;        ///< mel frames of one chunk
    double chunkSeconds;   ///< audio seconds of one chunk
    int tags = 50;         ///< outputs (the bundled students predict 3 vocabularies)
};

/// The bundled student's sizes compared for issue 12 (5 s chunks at 16 kHz, 150 tags): v1's,
/// twice as wide, twice as deep, and v1 with an attention coarse head over 50 groups.
nlohmann::json studentHyper(int64_t width, int64_t layers, bool coarse, int64_t conv = 16) {
    nlohmann::json h = {{"conv_ndim", conv},       {"n_mels", 96},            {"attention_ndim", width},
                        {"attention_nheads", 4}, {"attention_nlayers", layers}, {"attention_max_len", 512}};
    if (coarse) {
        h["coarse_head"] = "attention";
        nlohmann::json groups = nlohmann::json::array();
        for (int g = 0; g < 50; ++g) groups.push_back({3 * g, 3 * g + 1, 3 * g + 2});
        h["coarse_groups"] = groups;
    }
    return h;
}

std::vector<ModelSpec> allSpecs() {
    // NOTE: chunk lengths as upstream: FCN / CRNN 464000 samples and MusiCNN 48000 at 16 kHz
    // (hop 256), MTT 10 s at 22.05 kHz (hop 512, teacher widths), CNNSA 240000 samples at 16 kHz.
    return {
        {"fcn", "fcn", nlohmann::json::object(), 96, 1 + 464000 / 256, 29.0},
        {"musicnn", "musicnn", nlohmann::json::object(), 96, 1 + 48000 / 256, 3.0},
        {"crnn", "crnn", nlohmann::json::object(), 96, 1 + 464000 / 256, 29.0},
        {"mtt", "mtt", {{"conv_ndim", 128}, {"attention_ndim", 256}}, 128, 1 + 220500 / 512, 10.0},
        {"cnnsa", "cnnsa", nlohmann::json::object(), 128, 1 + 240000 / 256, 15.0},
        {"student", "mtt", studentHyper(64, 2, false), 96, 313, 79872.0 / 16000.0, 150},
        // v2's taggram chunks (3 s, 188 frames); its track tags run as stu-29s (both passes: the sum).
        {"stu-3s", "mtt", studentHyper(64, 2, false), 96, 188, 47872.0 / 16000.0, 150},
        {"stu-wide", "mtt", studentHyper(128, 2, false), 96, 313, 79872.0 / 16000.0, 150},
        {"stu-deep", "mtt", studentHyper(64, 4, false), 96, 313, 79872.0 / 16000.0, 150},
        {"stu-attn", "mtt", studentHyper(64, 2, true), 96, 313, 79872.0 / 16000.0, 200},
        // v1's size on whole 29 s windows (1813 frames), as the session-9 fine-tunes were trained.
        {"stu-29s", "mtt", studentHyper(64, 2, false), 96, 1813, 463872.0 / 16000.0, 150},
        // Wider conv front ends (issue 12's session 10): 24 and 32 channels instead of 16.
        {"stu-29s-c24", "mtt", studentHyper(64, 2, false, 24), 96, 1813, 463872.0 / 16000.0, 150},
        {"stu-29s-c32", "mtt", studentHyper(64, 2, false, 32), 96, 1813, 463872.0 / 16000.0, 150},
        {"stu-29s-w128", "mtt", studentHyper(128, 2, false), 96, 1813, 463872.0 / 16000.0, 150},
    };
}

/// Size of the GEMM reference measured before each row (1536^3: 7 GFLOP).
constexpr int64_t kRowGemmSize = 1536;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Best time of `runs` calls of `f` after one warm-up call.
double bestSeconds(const std::function<void()>& f, int runs) {
    f();
    double best = 1e30;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        f();
        best = std::min(best, secondsSince(t0));
    }
    return best;
}

/// GFLOP/s of an n x n x n float32 matrix product (torch::mm -> BLAS sgemm).
double gemmGflops(int64_t n, int runs) {
    c10::InferenceMode inference;
    const auto a = torch::randn({n, n}), b = torch::randn({n, n});
    auto c = torch::empty({n, n});
    const double s = bestSeconds([&] { torch::mm_out(c, a, b); }, runs);
    return 2.0 * double(n) * double(n) * double(n) / s / 1e9;
}

/// The shared BLAS library mapped into this process (from /proc/self/maps), "" if none found.
std::string loadedBlas() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    std::set<std::string> libs;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos) continue;
        const auto path = line.substr(slash);
        if (path.find("blas") != std::string::npos || path.find("mkl") != std::string::npos) libs.insert(path);
    }
    std::string out;
    for (const auto& l : libs) out += (out.empty() ? "" : ", ") + l;
    return out;
}

std::vector<int64_t> edgeShape(const torch::autograd::Edge& e) {
    if (!e.is_valid()) return {};
    // NOTE: InputMetadata keeps its shape private in LibTorch 1.13; zeros_like() exposes it.
    const auto z = e.function->input_metadata(e.input_nr).zeros_like();
    return {z.sizes().begin(), z.sizes().end()};
}

int64_t numel(const std::vector<int64_t>& s) {
    int64_t n = 1;
    for (auto d : s) n *= d;
    return n;
}

/// Multiply-adds of one forward pass, from its autograd graph: convolutions (output elements x
/// weight fan-in) and matrix products (M x N x K for mm / addmm / bmm / baddbmm).
int64_t countMultiplyAdds(TaggerNet& net, const torch::Tensor& mel) {
    const auto x = mel.clone().requires_grad_(true);
    const auto y = net.forward(x);
    std::vector<torch::autograd::Node*> stack{y.grad_fn().get()};
    std::set<torch::autograd::Node*> seen;
    int64_t macs = 0;
    while (!stack.empty()) {
        auto* node = stack.back();
        stack.pop_back();
        if (!node || !seen.insert(node).second) continue;
        const auto name = node->name();
        const auto& next = node->next_edges();
        auto outShape = [&] {
            const auto z = node->input_metadata(0).zeros_like();
            return std::vector<int64_t>(z.sizes().begin(), z.sizes().end());
        };
        if (name == "ConvolutionBackward0") {
            const auto w = edgeShape(next.at(1));
            if (!w.empty()) macs += numel(outShape()) * (numel(w) / w[0]);
        } else if (name == "MmBackward0" || name == "AddmmBackward0" || name == "BmmBackward0" ||
                   name == "BaddbmmBackward0") {
            // Operands (self, mat2) or (bias, mat1, mat2): K is mat1's last or mat2's first-but-last dim.
            const bool hasBias = name == "AddmmBackward0" || name == "BaddbmmBackward0";
            const auto a = edgeShape(next.at(hasBias ? 1 : 0)), b = edgeShape(next.at(hasBias ? 2 : 1));
            const int64_t k = !a.empty() ? a.back() : (!b.empty() ? b[b.size() - 2] : 0);
            macs += numel(outShape()) * k;
        }
        for (const auto& e : next)
            if (e.is_valid()) stack.push_back(e.function.get());
    }
    return macs;
}

/// Converts every 4-D parameter (2-D convolution weight) to the channels-last layout.
void toChannelsLast(TaggerNet& net) {
    torch::NoGradGuard noGrad;
    for (auto& p : net.parameters(true))
        if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
}

struct Row {
    std::string model, variant;
    int threads = 0, batch = 0;
    double gmacPerChunk = 0, secondsPerAudioSecond = 0, gflops = 0, gemm = 0, ratio = 0;
};

void printRow(const Row& r) {
    std::printf("%-8s %-10s %7d %5d %11.2f %13.4f %9.1f %9.1f %8.2f\n", r.model.c_str(), r.variant.c_str(),
                r.threads, r.batch, r.gmacPerChunk, r.secondsPerAudioSecond, r.gflops, r.gemm, r.ratio);
    std::fflush(stdout);
}

void printHeader() {
    std::printf("%-8s %-10s %7s %5s %11s %13s %9s %9s %8s\n", "model", "variant", "threads", "batch", "GMAC/chunk",
                "s per s audio", "GFLOP/s", "GEMM", "ratio");
}

/// Builds a model with random weights: "eager" (as loaded), "optimized" (optimizeForInference:
/// batch norms folded, tiled first layer), "opt+cl" (also channels-last 2-D convolution weights).
std::shared_ptr<TaggerNet> build(const ModelSpec& spec, const std::string& variant) {
    auto net = tagscope::model::createNet(spec.architecture, spec.hyper, spec.tags);
    if (!net) {
        std::cerr << spec.name << ": " << net.error().message << "\n";
        return nullptr;
    }
    (*net)->eval();
    if (variant != "eager") (*net)->optimizeForInference();
    if (variant == "opt+cl") toChannelsLast(**net);
    return *net;
}

/// Times one model / variant / thread count / batch size. The GEMM reference is measured right
/// before, with the same thread count, so machine load affects both alike.
Row measure(const ModelSpec& spec, const std::string& variant, TaggerNet& net, int threads, int batch, int runs) {
    at::set_num_threads(threads);
    const double gemm = gemmGflops(kRowGemmSize, runs);
    const int64_t macs = countMultiplyAdds(net, torch::randn({1, spec.nMels, spec.frames}) * 15 - 30);
    c10::InferenceMode inference;
    const auto mel = torch::randn({batch, spec.nMels, spec.frames}) * 15 - 30;
    const double s = bestSeconds([&] { net.forward(mel); }, runs);
    Row r{spec.name, variant, threads, batch};
    r.gmacPerChunk = double(macs) / 1e9;
    r.secondsPerAudioSecond = s / (batch * spec.chunkSeconds);
    r.gflops = 2.0 * double(macs) * batch / s / 1e9;
    r.gemm = gemm;
    r.ratio = r.gflops / gemm;
    return r;
}

} // namespace

int main(int argc, char** argv) {
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    bool quick = false;
    std::set<std::string> only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--threads" && i + 1 < argc) threads = std::max(1, std::stoi(argv[++i]));
        else if (a == "--quick") quick = true;
        else if (a == "--models" && i + 1 < argc) {
            std::stringstream ss(argv[++i]);
            for (std::string m; std::getline(ss, m, ',');) only.insert(m);
        } else {
            std::cerr << "usage: " << argv[0] << " [--threads N] [--quick] [--models fcn,musicnn,crnn,mtt,cnnsa,student,stu-wide,stu-deep,stu-attn,stu-29s,stu-29s-c24,stu-29s-c32,stu-29s-w128]\n";
            return 2;
        }
    }
    at::set_num_threads(threads);
    // NOTE: the heap as the application sets it when it prepares a model (makeTagger), so the
    // figures are the ones a user gets. Students' passes take 1-5 ms: single rows 5-10x off the
    // others are thread wake-up noise at that scale, so read a model's best rows.
    tagscope::tuneHeapForTensors();
    const int runs = quick ? 1 : 3;
    torch::manual_seed(0);

    const double gemm = gemmGflops(2048, runs);
    std::printf("reference: torch::mm 2048^3 float32, %d threads: %.1f GFLOP/s\n", threads, gemm);
    std::printf("each row: its own torch::mm %lld^3 reference (GEMM column) with the row's thread count\n",
                static_cast<long long>(kRowGemmSize));
    std::printf("BLAS mapped: %s\n", loadedBlas().empty() ? "(none found)" : loadedBlas().c_str());
    if (gemm < 10.0)
        std::printf("WARNING: GEMM below 10 GFLOP/s -- reference BLAS instead of OpenBLAS, or a busy machine?\n");

    std::vector<ModelSpec> specs;
    for (auto& s : allSpecs()) {
        if (!only.empty() && !only.count(s.name)) continue;
        if (!tagscope::model::createNet(s.architecture, s.hyper, s.tags)) {
            std::printf("%s: not available in this build, skipped\n", s.name.c_str());
            continue;
        }
        specs.push_back(s);
    }

    // Variants at batch 4, with one thread and with all threads.
    std::printf("\n== variants (batch 4) ==\n");
    printHeader();
    std::vector<int> threadCounts{1};
    if (threads > 1) threadCounts.push_back(threads);
    for (const auto& spec : specs) {
        for (const std::string variant : {"eager", "optimized", "opt+cl"}) {
            auto net = build(spec, variant);
            if (!net) continue;
            for (int t : threadCounts) printRow(measure(spec, variant, *net, t, 4, runs));
        }
    }

    // Batch sizes with the all-threads folded net.
    std::printf("\n== batch sizes (optimized, %d threads) ==\n", threads);
    printHeader();
    const std::vector<int> batches = quick ? std::vector<int>{1, 4} : std::vector<int>{1, 4, 8, 16};
    for (const auto& spec : specs) {
        auto net = build(spec, "optimized");
        if (!net) continue;
        for (int b : batches) printRow(measure(spec, "optimized", *net, threads, b, runs));
    }

    at::set_num_threads(threads);
    std::printf("\nreference again at the end: %.1f GFLOP/s (the difference shows machine load)\n",
                gemmGflops(2048, runs));
    return 0;
}
