// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/model_import.h"

#include <cctype>
#include <algorithm>
#include <set>

#include "core/io/data_directories.h"
#include "core/io/file_util.h"
#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/model/nets/tagger_net.h"

namespace tagscope::model {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool has(const TensorMap& w, const std::string& prefix, const std::string& key) { return w.count(prefix + key) > 0; }

const HostTensor* find(const TensorMap& w, const std::string& key) {
    const auto it = w.find(key);
    return it == w.end() ? nullptr : &it->second;
}

/// Number of distinct N in keys "<stem>N." (e.g. "encoder.layer.3.").
int64_t countIndexed(const TensorMap& w, const std::string& stem) {
    std::set<int64_t> seen;
    for (const auto& [key, t] : w) {
        if (!key.starts_with(stem)) continue;
        const auto rest = key.substr(stem.size());
        const auto dot = rest.find('.');
        if (dot == 0 || dot == std::string::npos || !std::isdigit(static_cast<unsigned char>(rest[0]))) continue;
        seen.insert(std::stoll(rest.substr(0, dot)));
    }
    return int64_t(seen.size());
}

/// Architecture facts that do not live in the weights: input, licence, upstream project.
struct ArchitectureDefaults {
    int sampleRate;
    int64_t chunkSamples;
    dsp::MelConfig mel;
    const char* upstream;
    const char* paper;
};

std::optional<ArchitectureDefaults> defaultsOf(const std::string& arch) {
    const dsp::MelConfig sota{16000, 512, 256, 0.0, 8000.0, 96};
    if (arch == "fcn" || arch == "crnn")
        return ArchitectureDefaults{16000, 464000, sota, "minzwon/sota-music-tagging-models", "Won et al. 2020"};
    if (arch == "musicnn")
        return ArchitectureDefaults{16000, 48000, sota, "minzwon/sota-music-tagging-models", "Won et al. 2020"};
    // NOTE: upstream CNNSA trains on 15 s inputs (input_length = 15 * 16000).
    if (arch == "cnnsa")
        return ArchitectureDefaults{16000, 240000, {16000, 512, 256, 0.0, 8000.0, 128},
                                    "minzwon/self-attention-music-tagging", "Won et al. 2019"};
    if (arch == "mtt")
        return ArchitectureDefaults{22050, 220500, {22050, 1024, 512, 0.0, 11025.0, 128},
                                    "minzwon/semi-supervised-music-tagging-transformer", "Won et al. 2021"};
    return std::nullopt;
}

/// Hyper-parameters the weights imply (widths, layer counts); the rest keep upstream defaults.
json inferHyperParameters(const std::string& arch, const std::string& dataset, const TensorMap& w) {
    json h = json::object();
    if (arch == "fcn" || arch == "crnn" || arch == "musicnn") {
        if (dataset == "mtat" || dataset == "msd" || dataset == "jamendo") h["dataset"] = dataset;
    } else if (arch == "cnnsa") {
        if (const auto* c = find(w, "layer1.conv_1.weight"); c && !c->shape.empty()) h["n_channels"] = c->shape[0];
        if (const auto n = countIndexed(w, "encoder.layer."); n > 0) h["num_hidden_layers"] = n;
        if (const auto* i = find(w, "encoder.layer.0.intermediate.dense.weight"); i && !i->shape.empty())
            h["intermediate_size"] = i->shape[0];
    } else if (arch == "mtt") {
        const auto* conv = find(w, "frontend.layer1.conv_1.weight");
        if (conv && !conv->shape.empty()) h["conv_ndim"] = conv->shape[0];
        if (const auto* cls = find(w, "cls_token"); cls && !cls->shape.empty()) h["attention_ndim"] = cls->shape.back();
        if (const auto n = countIndexed(w, "transformer.layers."); n > 0) h["attention_nlayers"] = n;
        if (const auto* pos = find(w, "pos_embedding"); pos && pos->shape.size() == 3) h["attention_max_len"] = pos->shape[1] - 1;
        // NOTE: three stride-2 residual blocks leave n_mels / 8 bands of conv_ndim channels.
        const auto* fc = find(w, "frontend.fc.weight");
        if (fc && fc->shape.size() == 2 && conv && !conv->shape.empty() && conv->shape[0] > 0)
            h["n_mels"] = fc->shape[1] / conv->shape[0] * 8;
    }
    return h;
}

/// Output width of the final layer (tags the checkpoint predicts), or 0.
int64_t outputWidth(const std::string& arch, const TensorMap& w) {
    const char* key = arch == "mtt" ? "mlp_head.1.bias" : "dense.bias";
    const auto* t = find(w, key);
    return (t && t->shape.size() == 1) ? t->shape[0] : 0;
}

std::string inferDataset(const fs::path& checkpoint, const std::string& arch) {
    std::string name = checkpoint.stem().string() + " " + checkpoint.parent_path().filename().string();
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (name.find("cals") != std::string::npos) return "msd_cals";
    if (name.find("mtat") != std::string::npos || name.find("magna") != std::string::npos) return "mtat";
    if (name.find("jamendo") != std::string::npos) return "jamendo";
    if (name.find("msd") != std::string::npos) return arch == "mtt" ? "msd_cals" : "msd";
    if (arch == "mtt") return "msd_cals"; // the only vocabulary the upstream transformer was trained on
    return {};
}

Result<tags::TagVocabulary> findVocabulary(const fs::path& checkpoint, const ImportOptions& o, const std::string& vocab) {
    if (!o.tagsFile.empty()) {
        auto v = tags::loadTagVocabulary(o.tagsFile);
        if (v && !vocab.empty()) v->name = vocab;
        return v;
    }
    if (vocab.empty())
        return fail(Error::Kind::InvalidInput, checkpoint,
                    "cannot tell which dataset the model was trained on; pass --dataset (mtat, msd, jamendo, msd_cals) "
                    "or --tags FILE");
    std::vector<fs::path> candidates;
    if (const char* e = std::getenv("TAGSCOPE_TAGS_DIR"); e && *e) candidates.push_back(fs::path(e) / (vocab + ".txt"));
    std::error_code ec;
    fs::path dir = fs::absolute(checkpoint, ec).parent_path();
    for (int up = 0; up < 3 && !dir.empty(); ++up, dir = dir.parent_path()) {
        candidates.push_back(dir / (vocab + ".txt"));
        candidates.push_back(dir / "tags" / (vocab + ".txt"));
    }
    for (const auto& c : candidates)
        if (fs::is_regular_file(c, ec)) {
            auto v = tags::loadTagVocabulary(c);
            if (v) v->name = vocab;
            return v;
        }
    return fail(Error::Kind::NotFound, checkpoint,
                "cannot find the tag list " + vocab + ".txt (one tag per line, in output order) near the checkpoint; "
                "pass --tags FILE");
}

std::string sanitizeId(std::string id) {
    for (auto& c : id) {
        const unsigned char u = static_cast<unsigned char>(c);
        c = (std::isalnum(u) || c == '-' || c == '_' || c == '.') ? char(std::tolower(u)) : '-';
    }
    // "MTT small (random weights)" -> "mtt-small-random-weights": no runs of '-', none at the ends.
    std::string out;
    for (char c : id)
        if (c != '-' || (!out.empty() && out.back() != '-')) out += c;
    while (!out.empty() && (out.back() == '-' || out.front() == '.' || out.front() == '-'))
        out.erase(out.back() == '-' ? out.end() - 1 : out.begin());
    return out.empty() ? std::string("model") : out;
}

const std::set<std::string>& knownArchitectures() {
    static const std::set<std::string> k{"fcn", "musicnn", "crnn", "cnnsa", "mtt"};
    return k;
}

} // namespace

std::string inferArchitecture(const TensorMap& w, const std::string& p) {
    if (has(w, p, "frontend.layer1.conv_1.weight") && has(w, p, "cls_token")) return "mtt";
    if (has(w, p, "encoder.layer.0.attention.self.query.weight") && has(w, p, "layer1.conv_1.weight")) return "cnnsa";
    if (has(w, p, "layers.0.conv.weight") && has(w, p, "layer1.conv.weight")) return "musicnn";
    if (has(w, p, "layer5.weight_ih_l0") && has(w, p, "layer1.conv.weight")) return "crnn";
    if (has(w, p, "layer5.conv.weight") && has(w, p, "dense.weight")) return "fcn";
    return {};
}

std::string vocabularyOfDataset(const std::string& dataset) {
    if (dataset == "mtat") return "mtat_top50";
    if (dataset == "msd") return "msd_top50";
    if (dataset == "jamendo") return "jamendo_top50";
    if (dataset == "msd_cals") return "msd_cals50";
    return {};
}

Result<ImportResult> importCheckpoint(const fs::path& checkpoint, const ImportOptions& o) {
    io::TorchCheckpointOptions readOptions;
    readOptions.preferStateDict = true;
    auto raw = io::readTorchCheckpoint(checkpoint, readOptions);
    if (!raw) return fail(raw.error());

    ImportResult result;
    for (const char* prefix : {"network.", "model.", "module."}) {
        const bool all = std::all_of(raw->begin(), raw->end(), [&](const auto& kv) { return kv.first.starts_with(prefix); });
        if (all && !raw->empty()) result.keyPrefix = prefix;
    }
    const TensorMap weights = result.keyPrefix.empty() ? std::move(*raw) : io::selectKeyPrefix(*raw, result.keyPrefix);
    result.inferredArchitecture = inferArchitecture(weights);
    const std::string arch = o.architecture.empty() ? result.inferredArchitecture : o.architecture;
    if (arch.empty())
        return fail(Error::Kind::InvalidInput, checkpoint,
                    "the weights match no known architecture; pass --arch (fcn, musicnn, crnn, cnnsa, mtt)");
    if (!knownArchitectures().count(arch))
        return fail(Error::Kind::InvalidInput, checkpoint, "unknown architecture '" + arch + "' (known: fcn, musicnn, crnn, cnnsa, mtt)");
    const auto defaults = *defaultsOf(arch);

    const std::string dataset = o.dataset.empty() ? inferDataset(checkpoint, arch) : o.dataset;
    const std::string vocabName = vocabularyOfDataset(dataset);
    if (!o.dataset.empty() && vocabName.empty() && o.tagsFile.empty())
        return fail(Error::Kind::InvalidInput, checkpoint, "unknown dataset '" + o.dataset + "' (known: mtat, msd, jamendo, msd_cals)");
    auto vocab = findVocabulary(checkpoint, o, vocabName);
    if (!vocab) return fail(vocab.error());

    const int64_t outputs = outputWidth(arch, weights);
    if (outputs > 0 && outputs != int64_t(vocab->tags.size()))
        return fail(Error::Kind::Mismatch, checkpoint,
                    "the model predicts " + std::to_string(outputs) + " tags but the tag list " + vocab->name + " has " +
                    std::to_string(vocab->tags.size()));

    const json hyper = inferHyperParameters(arch, dataset, weights);
    auto net = createNet(arch, hyper, int(vocab->tags.size()));
    if (!net) return fail(Error::Kind::InvalidInput, checkpoint, net.error().message);
    std::string archNote;
    if (!o.architecture.empty() && !result.inferredArchitecture.empty() && o.architecture != result.inferredArchitecture)
        archNote = " (they look like " + result.inferredArchitecture + ", not " + o.architecture + ")";
    if (auto ok = loadStateDict(**net, weights, checkpoint); !ok) {
        Error e = ok.error();
        e.message += archNote;
        return fail(std::move(e));
    }

    // Keep exactly the tensors the net uses (drops spec.* mel buffers and anything unused).
    TensorMap kept;
    for (const auto& [key, tensor] : stateDict(**net))
        if (const auto it = weights.find(key); it != weights.end()) kept.emplace(key, it->second);

    const fs::path outDir = o.outputDirectory.empty() ? cards::userModelDirectory() : o.outputDirectory;
    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (!fs::is_directory(outDir, ec)) return fail(Error::Kind::Io, outDir, "cannot create the model folder");
    const std::string id = sanitizeId(o.id.empty() ? (dataset.empty() ? vocab->name : dataset) + "-" + arch : o.id);
    if (id.empty()) return fail(Error::Kind::InvalidInput, checkpoint, "the model name is empty");

    cards::ModelCard& card = result.card;
    card.id = id;
    card.name = o.id.empty() ? arch + " (" + vocab->name + ")" : o.id;
    card.description = std::string("Upstream ") + arch + " tagger (" + defaults.paper + ") trained on " + vocab->name +
                       ", imported from " + checkpoint.filename().string() + ".";
    card.architecture = arch;
    card.hyperParameters = hyper;
    card.sampleRate = defaults.sampleRate;
    card.chunkSamples = defaults.chunkSamples;
    card.mel = defaults.mel;
    card.vocabularies = {*vocab};
    card.weightsPath = fs::absolute(outDir / (id + ".safetensors"), ec);
    card.cardPath = fs::absolute(outDir / (id + ".json"), ec);
    card.source = "imported from " + fs::absolute(checkpoint, ec).string() + " (upstream https://github.com/" +
                  defaults.upstream + ")";
    card.license = std::string("MIT, upstream ") + defaults.upstream;

    const std::map<std::string, std::string> metadata = {
        {"format", "pt"}, {"architecture", arch}, {"source", checkpoint.filename().string()}};
    if (auto ok = io::writeSafetensors(card.weightsPath, kept, metadata); !ok) return fail(ok.error());
    auto sha = io::sha256File(card.weightsPath);
    if (!sha) return fail(sha.error());
    card.sha256 = *sha;

    const auto data = io::bundledDataDirectory();
    const fs::path taxonomy = data ? *data / "models" / "taxonomy" / (vocab->name + ".json") : fs::path();
    if (data && fs::is_regular_file(taxonomy, ec)) {
        auto text = io::readFileBytes(taxonomy);
        const fs::path copy = outDir / (id + ".taxonomy.json");
        if (text && io::writeFileAtomically(copy, *text)) card.taxonomyPath = fs::absolute(copy, ec);
    }
    if (auto ok = cards::saveModelCard(card, card.cardPath); !ok) return fail(ok.error());
    return result;
}

} // namespace tagscope::model
