// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/serialize.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/analysis/explanation_json.h"
#include "core/analysis/json_values.h"

namespace tagscope::analysis {
namespace {

using nlohmann::json;
using namespace json_values;

json spectrogramJson(const dsp::Spectrogram& s) {
    return {{"n_mels", s.nMels}, {"n_frames", s.nFrames}, {"values", floats(s.values)}};
}

json cardJson(const cards::ModelCard& card) {
    json m = {{"id", card.id},
              {"name", card.name},
              {"architecture", card.architecture},
              {"sample_rate", card.sampleRate},
              {"chunk_samples", card.chunkSamples},
              {"chunk_seconds", card.chunkSeconds()},
              {"mel", {{"n_fft", card.mel.nFft}, {"hop_length", card.mel.hopLength}, {"f_min", card.mel.fMin},
                       {"f_max", card.mel.fMax}, {"n_mels", card.mel.nMels}}},
              {"source", card.source},
              {"license", card.license},
              {"sha256", card.sha256}};
    if (!card.evaluation.empty()) m["evaluation"] = card.evaluation;
    return m;
}

/// Consecutive runs of tags with the same vocabulary name, in output order.
json vocabulariesJson(const TrackAnalysis& a) {
    json out = json::array();
    for (size_t i = 0; i < a.tagNames.size(); ++i) {
        const std::string vocab = i < a.vocabularyOfTag.size() ? a.vocabularyOfTag[i] : "";
        if (out.empty() || out.back()["name"] != vocab) out.push_back({{"name", vocab}, {"tags", json::array()}});
        out.back()["tags"].push_back(a.tagNames[i]);
    }
    return out;
}

json taggramJson(const TrackAnalysis& a) {
    const Taggram& t = a.taggram;
    json rows = json::array();
    for (size_t c = 0; c < t.chunkCount(); ++c) {
        json row = json::array();
        for (size_t k = 0; k < t.tagCount; ++k) row.push_back(num(t.at(c, k)));
        rows.push_back(std::move(row));
    }
    return {{"chunk_start_seconds", t.chunkStartSeconds}, {"chunk_end_seconds", t.chunkEndSeconds},
            {"tags", a.tagNames}, {"values", std::move(rows)}};
}

json attentionJson(const AttentionExplanation& att) {
    json clsRow = json::array();
    for (const auto& layer : att.clsRow) {
        json heads = json::array();
        for (const auto& h : layer) heads.push_back(seriesJson(h));
        clsRow.push_back(std::move(heads));
    }
    json clsMean = json::array(), received = json::array();
    for (const auto& s : att.clsRowMean) clsMean.push_back(seriesJson(s));
    for (const auto& s : att.receivedMean) received.push_back(seriesJson(s));
    return {{"layers", att.layers}, {"heads", att.heads}, {"cls_row", std::move(clsRow)},
            {"cls_row_mean", std::move(clsMean)}, {"received_mean", std::move(received)},
            {"rollout", seriesJson(att.rollout)}};
}

AttentionExplanation readAttention(const json& j) {
    AttentionExplanation att;
    att.layers = j.at("layers").get<int>();
    att.heads = j.at("heads").get<int>();
    for (const auto& layer : j.at("cls_row")) {
        std::vector<TimeSeries> heads;
        for (const auto& h : layer) heads.push_back(readSeries(h));
        att.clsRow.push_back(std::move(heads));
    }
    for (const auto& s : j.at("cls_row_mean")) att.clsRowMean.push_back(readSeries(s));
    for (const auto& s : j.at("received_mean")) att.receivedMean.push_back(readSeries(s));
    att.rollout = readSeries(j.at("rollout"));
    return att;
}

json hierarchyJson(const TrackAnalysis& a) {
    json out = json::array();
    for (const auto& c : a.hierarchy) {
        json members = json::array();
        for (size_t m : c.members) members.push_back(m < a.tagNames.size() ? a.tagNames[m] : std::to_string(m));
        json entry = {{"group", c.group}, {"score", num(c.score)}, {"evidence_tag", c.evidenceTag},
                      {"evidence_index", c.evidenceIndex}, {"members", std::move(members)},
                      {"member_indices", c.members}};
        if (c.learned) {
            entry["learned"] = true;
            json relation = json::array();
            for (const auto& [index, weight] : c.relation)
                relation.push_back({{"tag", index < a.tagNames.size() ? a.tagNames[index] : std::to_string(index)},
                                    {"index", index}, {"weight", num(weight)}});
            if (!relation.empty()) entry["relation"] = std::move(relation);
        }
        out.push_back(std::move(entry));
    }
    return out;
}

} // namespace

json explanationToJson(const TagExplanation& e, bool includeRelevanceMap) {
    json j = {{"tag", e.tagName}, {"index", e.tag}, {"track_score", num(e.trackScore)}};
    if (e.occlusion) j["occlusion"] = seriesJson(*e.occlusion);
    if (e.contribution) j["contribution"] = seriesJson(*e.contribution);
    if (e.attribution) j["attribution"] = seriesJson(*e.attribution);
    if (e.timeFrequency) j["time_frequency"] = timeFrequencyToJson(*e.timeFrequency);
    if (e.relevance) {
        const auto& r = *e.relevance;
        json rel = {{"frame_seconds", r.frameSeconds}, {"smoothed", r.smoothed}, {"n_mels", r.map.nMels},
                    {"n_frames", r.map.nFrames}, {"per_frame", seriesJson(r.perFrame)}};
        if (includeRelevanceMap) rel["map"] = spectrogramJson(r.map);
        j["relevance"] = std::move(rel);
    }
    json curves = json::array();
    for (const auto& c : e.curves) curves.push_back(curveToJson(c));
    j["faithfulness_curves"] = std::move(curves);
    j["best_method"] = e.bestMethod;
    if (const auto* best = e.bestCurve()) {
        j["verdict"] = verdictName(best->verdict);
        j["share_beaten"] = best->shareBeaten;
        j["summary"] = best->summary();
    }
    if (e.faithfulness.empty()) {
        json segments = json::array();
        for (const auto& [start, end] : e.evidenceSegments)
            segments.push_back({{"start_seconds", start}, {"end_seconds", end}});
        j["evidence_segments"] = std::move(segments);
        return j;
    }
    json faith = json::array();
    for (const auto& f : e.faithfulness)
        faith.push_back({{"method", f.method}, {"k", f.k}, {"segment_seconds", f.segmentSeconds},
                         {"baseline", num(f.baseline)}, {"after_top_k", num(f.afterTopK)},
                         {"after_random", num(f.afterRandom)}, {"advantage", num(f.advantage())},
                         {"summary", f.summary()}});
    j["faithfulness"] = std::move(faith);
    json segments = json::array();
    for (const auto& [start, end] : e.evidenceSegments) segments.push_back({{"start_seconds", start}, {"end_seconds", end}});
    j["evidence_segments"] = std::move(segments);
    return j;
}

json toJson(const TrackAnalysis& a, const cards::ModelCard* card, const std::vector<TagExplanation>& explanations,
            const ExportOptions& options) {
    json j;
    j["schema_version"] = kSchemaVersion;
    j["generator"] = "tagscope";
    j["file"] = a.file.string();
    j["model"] = card ? cardJson(*card) : json{{"id", a.modelId}};
    j["model"]["id"] = a.modelId.empty() && card ? card->id : a.modelId;
    j["duration_seconds"] = a.durationSeconds;
    j["sample_rate"] = a.sampleRate;
    j["chunk_seconds"] = a.chunkSeconds;
    j["hop_seconds"] = a.hopSeconds;
    if (a.trackChunkSeconds > 0.0) j["track_chunk_seconds"] = a.trackChunkSeconds;
    j["vocabularies"] = vocabulariesJson(a);
    j["track_scores"] = floats(a.trackScores);
    json ranked = json::array();
    size_t rank = 0;
    for (const auto& t : a.ranked(options.top, options.threshold))
        ranked.push_back({{"rank", ++rank}, {"tag", t.name},
                          {"vocabulary", t.index < a.vocabularyOfTag.size() ? a.vocabularyOfTag[t.index] : ""},
                          {"index", t.index}, {"score", num(t.score)}});
    j["ranked"] = std::move(ranked);
    if (options.includeTaggram) j["taggram"] = taggramJson(a);
    j["hierarchy"] = hierarchyJson(a);
    if (options.includeAttention && a.attention) j["attention"] = attentionJson(*a.attention);
    if (!explanations.empty()) {
        j["explanations"] = json::array();
        for (const auto& e : explanations) j["explanations"].push_back(explanationToJson(e, options.includeRelevanceMaps));
    }
    if (!a.warnings.empty()) j["warnings"] = a.warnings;
    return j;
}

Result<TrackAnalysis> analysisFromJson(const json& j, const std::string& source) {
    TrackAnalysis a;
    try {
        if (!j.is_object()) return fail(Error::Kind::InvalidInput, source, "analysis export is not a JSON object");
        const int version = j.at("schema_version").get<int>();
        if (version > kSchemaVersion)
            return fail(Error::Kind::InvalidInput, source, "analysis export has schema version " + std::to_string(version) +
                        ", newer than this program understands (" + std::to_string(kSchemaVersion) + ")");
        a.file = j.at("file").get<std::string>();
        a.modelId = j.at("model").at("id").get<std::string>();
        a.durationSeconds = j.at("duration_seconds").get<double>();
        a.sampleRate = j.at("sample_rate").get<int>();
        a.chunkSeconds = j.at("chunk_seconds").get<double>();
        a.hopSeconds = j.at("hop_seconds").get<double>();
        a.trackChunkSeconds = j.value("track_chunk_seconds", 0.0);
        for (const auto& v : j.at("vocabularies"))
            for (const auto& t : v.at("tags")) {
                a.tagNames.push_back(t.get<std::string>());
                a.vocabularyOfTag.push_back(v.at("name").get<std::string>());
            }
        a.trackScores = readFloats(j.at("track_scores"));
        if (a.trackScores.size() != a.tagNames.size())
            return fail(Error::Kind::InvalidInput, source, "analysis export has " + std::to_string(a.trackScores.size()) +
                        " track scores for " + std::to_string(a.tagNames.size()) + " tags");
        if (j.contains("taggram")) {
            const auto& t = j["taggram"];
            a.taggram.chunkStartSeconds = t.at("chunk_start_seconds").get<std::vector<double>>();
            a.taggram.chunkEndSeconds = t.at("chunk_end_seconds").get<std::vector<double>>();
            a.taggram.tagCount = a.tagNames.size();
            const auto& rows = t.at("values");
            if (rows.size() != a.taggram.chunkStartSeconds.size() || a.taggram.chunkEndSeconds.size() != rows.size())
                return fail(Error::Kind::InvalidInput, source, "analysis export: taggram times and rows differ in count");
            for (const auto& row : rows) {
                if (row.size() != a.tagNames.size())
                    return fail(Error::Kind::InvalidInput, source, "analysis export: a taggram row does not have one value per tag");
                const auto values = readFloats(row);
                a.taggram.values.insert(a.taggram.values.end(), values.begin(), values.end());
            }
        }
        for (const auto& c : j.at("hierarchy")) {
            CoarseTag tag;
            tag.group = c.at("group").get<std::string>();
            tag.score = c.at("score").get<float>();
            tag.evidenceTag = c.at("evidence_tag").get<std::string>();
            tag.evidenceIndex = c.at("evidence_index").get<size_t>();
            tag.members = c.at("member_indices").get<std::vector<size_t>>();
            tag.learned = c.value("learned", false);
            if (c.contains("relation"))
                for (const auto& w : c.at("relation"))
                    tag.relation.emplace_back(w.at("index").get<size_t>(), w.at("weight").get<float>());
            a.hierarchy.push_back(std::move(tag));
        }
        if (j.contains("attention")) a.attention = readAttention(j["attention"]);
        if (j.contains("warnings")) a.warnings = j["warnings"].get<std::vector<std::string>>();
    } catch (const std::exception& e) {
        return fail(Error::Kind::InvalidInput, source, std::string("analysis export is missing or has a wrong field: ") + e.what());
    }
    return a;
}

Result<TagExplanation> explanationFromJson(const json& j, const std::string& source) {
    TagExplanation e;
    try {
        e.tagName = j.at("tag").get<std::string>();
        e.tag = j.at("index").get<size_t>();
        e.trackScore = j.at("track_score").get<float>();
        if (j.contains("occlusion")) e.occlusion = readSeries(j["occlusion"]);
        if (j.contains("contribution")) e.contribution = readSeries(j["contribution"]);
        if (j.contains("attribution")) e.attribution = readSeries(j["attribution"]);
        if (j.contains("time_frequency")) {
            auto tf = timeFrequencyFromJson(j["time_frequency"], source);
            if (!tf) return fail(tf.error());
            e.timeFrequency = std::move(*tf);
        }
        if (j.contains("faithfulness_curves"))
            for (const auto& c : j["faithfulness_curves"]) {
                auto curve = curveFromJson(c, source);
                if (!curve) return fail(curve.error());
                e.curves.push_back(std::move(*curve));
            }
        if (j.contains("best_method")) e.bestMethod = j["best_method"].get<std::string>();
        if (j.contains("relevance")) {
            const auto& r = j["relevance"];
            GradientRelevance rel;
            rel.tag = e.tag;
            rel.frameSeconds = r.at("frame_seconds").get<double>();
            rel.smoothed = r.at("smoothed").get<bool>();
            rel.perFrame = readSeries(r.at("per_frame"));
            rel.map.nMels = r.at("n_mels").get<int>();
            rel.map.nFrames = r.at("n_frames").get<int>();
            if (r.contains("map")) rel.map.values = readFloats(r["map"].at("values"));
            e.relevance = std::move(rel);
        }
        for (const auto& f : j.value("faithfulness", json::array())) {
            Faithfulness x;
            x.tag = e.tag;
            x.tagName = e.tagName;
            x.method = f.at("method").get<std::string>();
            x.k = f.at("k").get<int>();
            x.segmentSeconds = f.at("segment_seconds").get<double>();
            x.baseline = f.at("baseline").get<float>();
            x.afterTopK = f.at("after_top_k").get<float>();
            x.afterRandom = f.at("after_random").get<float>();
            e.faithfulness.push_back(std::move(x));
        }
        for (const auto& s : j.at("evidence_segments"))
            e.evidenceSegments.emplace_back(s.at("start_seconds").get<double>(), s.at("end_seconds").get<double>());
    } catch (const std::exception& ex) {
        return fail(Error::Kind::InvalidInput, source, std::string("explanation export is missing or has a wrong field: ") + ex.what());
    }
    return e;
}

std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

namespace {
std::string csvNumber(double v) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}
std::string csvNumber(float v) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}
} // namespace

std::string tagCsvHeader() { return "file,model,tag,vocabulary,score,rank\n"; }

std::string tagCsvRows(const TrackAnalysis& a, size_t top, float threshold) {
    std::string out;
    size_t rank = 0;
    const std::string file = csvField(a.file.string()), model = csvField(a.modelId);
    for (const auto& t : a.ranked(top, threshold)) {
        const std::string vocab = t.index < a.vocabularyOfTag.size() ? a.vocabularyOfTag[t.index] : "";
        out += file + "," + model + "," + csvField(t.name) + "," + csvField(vocab) + "," + csvNumber(t.score) + "," +
               std::to_string(++rank) + "\n";
    }
    return out;
}

std::string taggramCsv(const TrackAnalysis& a) {
    std::string out = "chunk_start,chunk_end";
    for (const auto& name : a.tagNames) {
        out += ',';
        out += csvField(name);
    }
    out += "\n";
    const Taggram& t = a.taggram;
    for (size_t c = 0; c < t.chunkCount(); ++c) {
        out += csvNumber(t.chunkStartSeconds[c]);
        out += ',';
        out += csvNumber(t.chunkEndSeconds[c]);
        for (size_t k = 0; k < t.tagCount; ++k) {
            out += ',';
            out += csvNumber(t.at(c, k));
        }
        out += "\n";
    }
    return out;
}

} // namespace tagscope::analysis
