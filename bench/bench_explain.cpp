// SPDX-License-Identifier: GPL-3.0-or-later
// Explanation benchmarks (issue 13), printed figures only (never a test):
//   speed FILE         : decode + tag, then occlusion of every tag + gradient relevance of the top
//                        tag (the first view), the attention methods, and the faithfulness curves of
//                        the top tag; seconds of each beside tag's, and peak RSS.
//   faithfulness FILES : per file, the top tag's curves: share of random orderings each method beats.
//   pointing FILES     : passages of --passage s from --offset s of each file spliced; share of each
//                        passage's evidence inside it, per method (model::runPointing).
// Options: --model CARD (default: the bundled student), --threads N (2), --orderings N (20),
//          --passage S (10), --offset S (30), --curves (pointing: compute curves, so the
//          default method is the most faithful one), --segment S (1), --dump (pointing: each
//          method's evidence per segment), --excerpt S (faithfulness: S seconds from --offset),
//          --resampler torchaudio|best (pointing: the converter; the Pointing test decodes with best).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/cards/model_card.h"
#include "core/model/analyzer.h"
#include "core/model/pointing.h"

using namespace tagscope;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Peak resident set size of this process (VmHWM), MB.
double peakRssMb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0.0;
}

struct Args {
    std::string mode;
    std::vector<std::string> files;
    std::string model = TAGSCOPE_BUNDLED_CARD;
    int threads = 2;
    int orderings = 20;
    double passage = 10.0;
    double offset = 30.0;
    bool curves = false;
    bool dump = false;
    double excerpt = 0.0;   ///< faithfulness: seconds of each track from --offset (0: whole tracks)      ///< pointing: print each method's evidence per segment
    double segment = 1.0;   ///< segment length of occlusion, curves and evidence
    audio::ResampleQuality resampler = audio::ResampleQuality::Torchaudio; ///< pointing's converter
};

int die(const std::string& message) {
    std::fprintf(stderr, "bench_explain: %s\n", message.c_str());
    return 1;
}

int speed(model::Analyzer& analyzer, const Args& a) {
    const int rate = analyzer.tagger().card().sampleRate;
    double t0 = now();
    auto audio = audio::decodeAudio(a.files.front(), {rate, 0.0, 0.0, audio::ResampleQuality::Torchaudio});
    if (!audio) return die(audio.error().message);
    const double decode = now() - t0;
    t0 = now();
    auto r = analyzer.analyzeAudio(*audio);
    if (!r) return die(r.error().message);
    const double tag = decode + (now() - t0);
    const size_t top = r->ranked(1).at(0).index;
    t0 = now();
    auto occ = analyzer.occlusion(*r, *audio, 1.0);
    if (!occ) return die(occ.error().message);
    const double occlusion = now() - t0;
    model::ExplainOptions opt;
    opt.occlusionOfAllTags = &*occ;
    opt.faithfulness = false;
    opt.contribution = opt.attribution = false;
    opt.randomOrderings = a.orderings;
    t0 = now();
    auto e = analyzer.explain(*r, *audio, top, opt);
    if (!e) return die(e.error().message);
    const double gradient = now() - t0;
    opt.gradient = false;
    opt.contribution = opt.attribution = true;
    t0 = now();
    auto att = analyzer.explain(*r, *audio, top, opt);
    if (!att) return die(att.error().message);
    const double attention = now() - t0;
    e->contribution = att->contribution;
    e->attribution = att->attribution;
    t0 = now();
    if (auto ok = analyzer.addFaithfulness(*r, *audio, *e, opt); !ok) return die(ok.error().message);
    const double curves = now() - t0;
    std::printf("track %.1f s, model %s, %d threads, top tag '%s'\n", r->durationSeconds, r->modelId.c_str(), a.threads,
                e->tagName.c_str());
    std::printf("tag (decode + analyse)                 %7.2f s   (decode %.2f s)\n", tag, decode);
    std::printf("occlusion, every tag                   %7.2f s   %.2f x tag\n", occlusion, occlusion / tag);
    std::printf("gradient relevance, top tag            %7.2f s\n", gradient);
    std::printf("FIRST VIEW (occlusion + gradient)      %7.2f s   %.2f x tag   goal < 5 s\n", occlusion + gradient,
                (occlusion + gradient) / tag);
    std::printf("attribution + contribution, top tag    %7.2f s\n", attention);
    std::printf("FAITHFULNESS CURVES (%zu methods, %d orderings) %6.2f s   %.2f x tag   goal < 30 s\n",
                e->curves.size(), a.orderings, curves, curves / tag);
    for (const auto& c : e->curves)
        std::printf("  %-13s beats %3.0f%% of random orderings, area between %+.4f, %s%s\n", c.method.c_str(),
                    100.0 * c.shareBeaten, c.areaBetween, analysis::verdictName(c.verdict).c_str(),
                    c.method == e->bestMethod ? "  <- shown" : "");
    std::printf("PEAK RSS                               %7.0f MB\n", peakRssMb());
    return 0;
}

int faithfulness(model::Analyzer& analyzer, const Args& a) {
    const int rate = analyzer.tagger().card().sampleRate;
    int faithful = 0, total = 0;
    for (const auto& f : a.files) {
        // With --excerpt, --excerpt s from --offset s (the whole track when it is shorter).
        const double offset = a.excerpt > 0.0 ? a.offset : 0.0;
        auto audio = audio::decodeAudio(f, {rate, offset, a.excerpt, audio::ResampleQuality::Torchaudio});
        // A track shorter than the offset: its start instead.
        if (offset > 0.0 && (!audio || audio->samples.empty()))
            audio = audio::decodeAudio(f, {rate, 0.0, a.excerpt, audio::ResampleQuality::Torchaudio});
        if (!audio) return die(audio.error().message);
        auto r = analyzer.analyzeAudio(*audio);
        if (!r) return die(r.error().message);
        model::ExplainOptions opt;
        opt.randomOrderings = a.orderings;
        opt.segmentSeconds = a.segment;
        auto e = analyzer.explain(*r, *audio, r->ranked(1).at(0).index, opt);
        if (!e) return die(e.error().message);
        const auto* best = e->bestCurve();
        const auto* occlusion = &e->curves.front();
        std::printf("%-40.40s %5.0f s %-24s occlusion beats %3.0f%% (%s); default %s beats %3.0f%%\n",
                    std::filesystem::path(f).filename().string().c_str(), r->durationSeconds, e->tagName.c_str(),
                    100.0 * occlusion->shareBeaten, analysis::verdictName(occlusion->verdict).c_str(),
                    e->bestMethod.c_str(), best ? 100.0 * best->shareBeaten : 0.0);
        faithful += best && best->shareBeaten >= 0.9;
        ++total;
    }
    std::printf("default method beats >= 90%% of random orderings on %d of %d tracks (%.0f%%)\n", faithful, total,
                100.0 * faithful / std::max(1, total));
    return 0;
}

int pointing(model::Analyzer& analyzer, const Args& a) {
    const int rate = analyzer.tagger().card().sampleRate;
    std::vector<audio::AudioBuffer> passages;
    std::vector<std::string> names;
    for (const auto& f : a.files) {
        auto audio = audio::decodeAudio(f, {rate, a.offset, a.passage, a.resampler});
        if (!audio) return die(audio.error().message);
        passages.push_back(std::move(*audio));
        names.push_back(std::filesystem::path(f).stem().string());
    }
    model::ExplainOptions opt;
    opt.faithfulness = a.curves;
    opt.randomOrderings = a.orderings;
    opt.segmentSeconds = a.segment;
    auto r = model::runPointing(analyzer, passages, names, opt);
    if (!r) return die(r.error().message);
    for (const auto& p : r->passages) {
        std::printf("%-40.40s %-28.28s margin %.2f default %-12s", p.source.c_str(), p.tagName.c_str(),
                    double(p.margin), p.bestMethod.c_str());
        for (const auto& [m, s] : p.share) std::printf(" %s %.2f", m.c_str(), s);
        std::printf("\n");
        if (a.dump)
            for (const auto& [m, v] : p.evidence) {
                std::printf("    %-12s", m.c_str());
                double top = 0.0;
                for (double x : v) top = std::max(top, x);
                // One digit per segment: its evidence as a share of the passage's strongest (0-9).
                for (size_t j = 0; j < v.size(); ++j)
                    std::printf("%s%c", j > 0 && std::fmod(double(j) * a.segment, a.passage) < 1e-9 ? "|" : "",
                                top > 0.0 && v[j] > 0.0 ? char('0' + std::min(9, int(9.0 * v[j] / top + 0.5))) : '.');
                std::printf("\n");
            }
    }
    std::printf("MEAN SHARE INSIDE THE RIGHT PASSAGE (chance %.2f):", 1.0 / double(passages.size()));
    for (const auto& [m, s] : r->meanShare) std::printf(" %s %.3f", m.c_str(), s);
    std::printf("; default method %.3f (goal >= 0.8)\n", r->defaultShare);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (s == "--model") a.model = value();
        else if (s == "--threads") a.threads = std::stoi(value());
        else if (s == "--orderings") a.orderings = std::stoi(value());
        else if (s == "--passage") a.passage = std::stod(value());
        else if (s == "--offset") a.offset = std::stod(value());
        else if (s == "--curves") a.curves = true;
        else if (s == "--dump") a.dump = true;
        else if (s == "--excerpt") a.excerpt = std::stod(value());
        else if (s == "--segment") a.segment = std::stod(value());
        else if (s == "--resampler") {
            const std::string r = value();
            if (r != "torchaudio" && r != "best") return die("--resampler: torchaudio or best, not '" + r + "'");
            a.resampler = r == "best" ? audio::ResampleQuality::Best : audio::ResampleQuality::Torchaudio;
        }
        else if (a.mode.empty()) a.mode = s;
        else a.files.push_back(s);
    }
    if (a.mode.empty() || a.files.empty())
        return die("usage: tagscope_bench_explain speed|faithfulness|pointing [--model CARD] [--threads N] FILES...");
    auto card = cards::loadModelCard(a.model);
    if (!card) return die(card.error().message);
    auto tagger = model::Tagger::load(*card, {"cpu", a.threads});
    if (!tagger) return die(tagger.error().message);
    model::Analyzer analyzer(std::shared_ptr<model::Tagger>(std::move(*tagger)));
    if (a.mode == "speed") return speed(analyzer, a);
    if (a.mode == "faithfulness") return faithfulness(analyzer, a);
    if (a.mode == "pointing") return pointing(analyzer, a);
    return die("unknown mode '" + a.mode + "'");
}
