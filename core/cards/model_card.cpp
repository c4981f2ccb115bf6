// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cards/model_card.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "core/cards/model_card_parser.h"
#include "core/io/bounded_json.h"
#include "core/io/data_directories.h"
#include "core/io/file_size_limit.h"
#include "core/io/file_util.h"

namespace tagscope::cards {
namespace fs = std::filesystem;
using nlohmann::json;
using io::bundledDataDirectory;
using io::checkFileSizeAtMost;
using io::parseBoundedJson;
using io::readFileBytes;
using io::writeFileAtomically;

size_t ModelCard::tagCount() const {
    size_t n = 0;
    for (const auto& v : vocabularies) n += v.tags.size();
    return n;
}

const std::string& ModelCard::tagName(size_t i) const {
    for (const auto& v : vocabularies) {
        if (i < v.tags.size()) return v.tags[i];
        i -= v.tags.size();
    }
    static const std::string empty;
    return empty;
}

std::vector<std::string> ModelCard::tagNames() const {
    std::vector<std::string> out;
    for (const auto& v : vocabularies) out.insert(out.end(), v.tags.begin(), v.tags.end());
    return out;
}

std::vector<std::string> ModelCard::vocabularyOfTags() const {
    std::vector<std::string> out;
    for (const auto& v : vocabularies) out.insert(out.end(), v.tags.size(), v.name);
    return out;
}

std::optional<size_t> ModelCard::tagIndex(const std::string& tag) const {
    std::string vocab, name = tag;
    if (const auto colon = tag.find(':'); colon != std::string::npos) {
        vocab = tag.substr(0, colon);
        name = tag.substr(colon + 1);
    }
    size_t base = 0;
    for (const auto& v : vocabularies) {
        if (vocab.empty() || v.name == vocab)
            if (auto i = v.indexOf(name)) return base + *i;
        base += v.tags.size();
    }
    return std::nullopt;
}

namespace {
std::string relativeTo(const fs::path& p, const fs::path& dir) {
    if (p.empty()) return {};
    std::error_code ec;
    auto rel = fs::relative(p, dir, ec);
    return (ec || rel.empty()) ? p.string() : rel.string();
}
} // namespace

json ModelCard::toJson() const {
    const fs::path dir = cardPath.parent_path();
    json j;
    j["id"] = id;
    j["name"] = name;
    j["description"] = description;
    j["architecture"] = architecture;
    j["hyper_parameters"] = hyperParameters;
    j["sample_rate"] = sampleRate;
    j["chunk_samples"] = chunkSamples;
    if (trackChunkSamples > 0) j["track_chunk_samples"] = trackChunkSamples;
    j["mel"] = {{"n_fft", mel.nFft}, {"hop_length", mel.hopLength}, {"f_min", mel.fMin},
                {"f_max", mel.fMax}, {"n_mels", mel.nMels}};
    j["vocabularies"] = json::array();
    for (const auto& v : vocabularies) j["vocabularies"].push_back({{"name", v.name}, {"tags", v.tags}});
    if (taxonomyPath) j["taxonomy"] = relativeTo(*taxonomyPath, dir);
    j["weights"] = relativeTo(weightsPath, dir);
    if (!weightsKeyPrefix.empty()) j["weights_key_prefix"] = weightsKeyPrefix;
    j["sha256"] = sha256;
    j["source"] = source;
    j["license"] = license;
    if (!evaluation.empty()) j["evaluation"] = evaluation;
    return j;
}

namespace {

// A field that is present but unusable (wrong type, out of range); caught in parseModelCard.
struct FieldError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// NOTE: nlohmann-json converts numbers with a plain cast, which is undefined behaviour for a
// float outside the target's range (a card saying "sample_rate": 1e300); every number is read
// as a finite double and range-checked first.
double finiteNumber(const json& v, const std::string& name) {
    if (!v.is_number()) throw FieldError("\"" + name + "\" must be a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) throw FieldError("\"" + name + "\" must be a finite number");
    return d;
}

double numberIn(const json& v, const std::string& name, double lo, double hi) {
    const double d = finiteNumber(v, name);
    if (d < lo || d > hi)
        throw FieldError("\"" + name + "\" is " + v.dump() + ", outside " + json(lo).dump() + " to " + json(hi).dump());
    return d;
}

int64_t wholeNumberIn(const json& v, const std::string& name, int64_t lo, int64_t hi) {
    const double d = numberIn(v, name, double(lo), double(hi));
    if (d != std::floor(d)) throw FieldError("\"" + name + "\" must be a whole number");
    return static_cast<int64_t>(d);
}

// Limits of a usable card; far beyond any real model, so only damaged or hostile cards hit them.
constexpr int64_t kMinRate = 1000, kMaxRate = 384000;
constexpr double kMaxChunkSeconds = 600.0;
constexpr int64_t kMaxFft = 1 << 16, kMaxMels = 1024;

void readMel(const json& m, ModelCard& c) {
    if (!m.is_object()) throw FieldError("\"mel\" must be an object");
    c.mel.sampleRate = c.sampleRate;
    c.mel.nFft = int(wholeNumberIn(m.at("n_fft"), "mel.n_fft", 16, kMaxFft));
    c.mel.hopLength =
        m.contains("hop_length") ? int(wholeNumberIn(m["hop_length"], "mel.hop_length", 1, kMaxFft)) : c.mel.nFft / 2;
    c.mel.fMin = m.contains("f_min") ? numberIn(m["f_min"], "mel.f_min", 0.0, double(c.sampleRate)) : 0.0;
    c.mel.fMax = m.contains("f_max") ? numberIn(m["f_max"], "mel.f_max", 0.0, double(c.sampleRate))
                                     : c.sampleRate / 2.0;
    c.mel.nMels = int(wholeNumberIn(m.at("n_mels"), "mel.n_mels", 1, kMaxMels));
}

} // namespace

Result<ModelCard> parseModelCard(std::string_view text, const fs::path& path) {
    auto parsed = parseBoundedJson(text, path, "model card");
    if (!parsed) return fail(parsed.error());
    const json& j = *parsed;
    if (!j.is_object()) return fail(Error::Kind::InvalidInput, path, "model card is not a JSON object");
    ModelCard c;
    std::error_code ec;
    c.cardPath = fs::absolute(path, ec);
    const fs::path dir = c.cardPath.parent_path();
    auto resolve = [&](const std::string& p) { return fs::path(p).is_absolute() ? fs::path(p) : dir / p; };
    try {
        c.id = j.at("id").get<std::string>();
        c.name = j.value("name", c.id);
        c.description = j.value("description", "");
        c.architecture = j.at("architecture").get<std::string>();
        c.hyperParameters = j.value("hyper_parameters", json::object());
        c.sampleRate = int(wholeNumberIn(j.at("sample_rate"), "sample_rate", kMinRate, kMaxRate));
        const auto maxChunk = int64_t(kMaxChunkSeconds) * c.sampleRate;
        if (j.contains("chunk_samples")) c.chunkSamples = wholeNumberIn(j["chunk_samples"], "chunk_samples", 1, maxChunk);
        else c.chunkSamples = int64_t(numberIn(j.at("chunk_seconds"), "chunk_seconds", 0.0, kMaxChunkSeconds) * c.sampleRate + 0.5);
        if (j.contains("track_chunk_samples"))
            c.trackChunkSamples = wholeNumberIn(j["track_chunk_samples"], "track_chunk_samples", 1, maxChunk);
        readMel(j.at("mel"), c);
        const json& vocabularies = j.at("vocabularies");
        if (!vocabularies.is_array()) throw FieldError("\"vocabularies\" must be a list");
        for (const auto& v : vocabularies) {
            if (!v.is_object()) throw FieldError("each vocabulary must be an object");
            if (v.contains("file")) {
                auto voc = tags::loadTagVocabulary(resolve(v["file"].get<std::string>()));
                if (!voc) return fail(Error::Kind::InvalidInput, path, "vocabulary: " + voc.error().message);
                if (v.contains("name")) voc->name = v["name"].get<std::string>();
                c.vocabularies.push_back(std::move(*voc));
            } else {
                c.vocabularies.push_back({v.at("name").get<std::string>(), v.at("tags").get<std::vector<std::string>>()});
            }
        }
        if (j.contains("taxonomy") && !j["taxonomy"].get<std::string>().empty())
            c.taxonomyPath = resolve(j["taxonomy"].get<std::string>());
        c.weightsPath = resolve(j.at("weights").get<std::string>());
        c.weightsKeyPrefix = j.value("weights_key_prefix", "");
        c.sha256 = j.value("sha256", "");
        c.source = j.value("source", "");
        c.license = j.value("license", "");
        c.evaluation = j.value("evaluation", json::object());
    } catch (const FieldError& e) {
        return fail(Error::Kind::InvalidInput, path, std::string("model card has a wrong field: ") + e.what());
    } catch (const json::exception& e) {
        return fail(Error::Kind::InvalidInput, path, std::string("model card is missing or has a wrong field: ") + e.what());
    }
    if (c.chunkSamples <= 0) return fail(Error::Kind::InvalidInput, path, "model card has no positive chunk length");
    if (c.trackChunkSamples > 0 && c.trackChunkSamples < c.chunkSamples)
        return fail(Error::Kind::InvalidInput, path,
                    "model card's track_chunk_samples (" + std::to_string(c.trackChunkSamples) +
                        ") is shorter than its chunk_samples (" + std::to_string(c.chunkSamples) + ")");
    if (c.mel.fMax <= c.mel.fMin)
        return fail(Error::Kind::InvalidInput, path, "model card has an invalid mel configuration (f_max must be above f_min)");
    if (c.tagCount() == 0) return fail(Error::Kind::InvalidInput, path, "model card lists no tags");
    return c;
}

Result<ModelCard> loadModelCard(const fs::path& path) {
    if (auto size = checkFileSizeAtMost(path, kMaxModelCardBytes, "model card"); !size) return fail(size.error());
    auto bytes = readFileBytes(path);
    if (!bytes) return fail(bytes.error());
    return parseModelCard(*bytes, path);
}

Result<void> saveModelCard(const ModelCard& card, const fs::path& path) {
    ModelCard copy = card;
    std::error_code ec;
    copy.cardPath = fs::absolute(path, ec);
    return writeFileAtomically(path, copy.toJson().dump(2) + "\n");
}

std::vector<ModelCard> discoverModelCards(const std::vector<fs::path>& directories, std::vector<Error>* problems) {
    std::vector<ModelCard> cards;
    for (const auto& dir : directories) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.path().extension() == ".json") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            if (!checkFileSizeAtMost(f, kMaxModelCardBytes, "model card")) continue;
            auto bytes = readFileBytes(f);
            if (!bytes) continue;
            auto j = parseBoundedJson(*bytes, f, "model card");
            if (!j || !j->is_object() || !j->contains("architecture")) continue; // not a card
            auto card = parseModelCard(*bytes, f);
            if (card) cards.push_back(std::move(*card));
            else if (problems) problems->push_back(card.error());
        }
    }
    return cards;
}

fs::path userModelDirectory() {
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return fs::path(x) / "tagscope" / "models";
    if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".local" / "share" / "tagscope" / "models";
    return fs::temp_directory_path() / "tagscope" / "models";
}

std::vector<fs::path> defaultModelDirectories() {
    std::vector<fs::path> dirs;
    // NOTE: TAGSCOPE_MODEL_PATH ("dir:dir:...") replaces the whole search, bundled model included.
    if (const char* p = std::getenv("TAGSCOPE_MODEL_PATH"); p && *p) {
        std::string all = p;
        for (size_t start = 0; start <= all.size();) {
            const size_t colon = std::min(all.find(':', start), all.size());
            if (colon > start) dirs.emplace_back(all.substr(start, colon - start));
            start = colon + 1;
        }
        return dirs;
    }
    if (const char* e = std::getenv("TAGSCOPE_MODELS_DIR"); e && *e) dirs.emplace_back(e);
    dirs.push_back(userModelDirectory());
    // The bundled model: <prefix>/share/tagscope/models when installed, the source tree's models/
    // when run from a build tree (see data_directories.h).
    if (const auto data = bundledDataDirectory()) dirs.push_back(*data / "models");
    // NOTE: a program installed with --prefix ~/.local has its bundled folder in the user's
    // folder; list each folder once so no card shows up twice.
    std::vector<fs::path> unique;
    for (const auto& d : dirs) {
        std::error_code ec;
        const fs::path key = fs::weakly_canonical(d, ec);
        bool seen = false;
        for (const auto& u : unique) seen = seen || fs::weakly_canonical(u, ec) == key;
        if (!seen) unique.push_back(d);
    }
    return unique;
}

} // namespace tagscope::cards
