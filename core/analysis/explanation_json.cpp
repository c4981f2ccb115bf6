// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/explanation_json.h"

#include <stdexcept>

#include "core/analysis/json_values.h"

namespace tagscope::analysis {
namespace {

using nlohmann::json;
using namespace json_values;

/// Row-major rows x cols floats as nested arrays.
json matrix(const std::vector<float>& values, size_t rows, size_t cols) {
    json out = json::array();
    for (size_t r = 0; r < rows; ++r)
        out.push_back(floats(std::vector<float>(values.begin() + long(r * cols), values.begin() + long((r + 1) * cols))));
    return out;
}

std::vector<float> readMatrix(const json& j, size_t rows, size_t cols) {
    if (j.size() != rows) throw std::runtime_error("a matrix has " + std::to_string(j.size()) + " rows, expected " + std::to_string(rows));
    std::vector<float> out;
    for (const auto& row : j) {
        auto r = readFloats(row);
        if (r.size() != cols) throw std::runtime_error("a matrix row has " + std::to_string(r.size()) + " values, expected " + std::to_string(cols));
        out.insert(out.end(), r.begin(), r.end());
    }
    return out;
}

json randomJson(const RandomCurves& r) { return {{"mean", floats(r.mean)}, {"p10", floats(r.p10)}, {"p90", floats(r.p90)}}; }

RandomCurves readRandom(const json& j) {
    return {readFloats(j.at("mean")), readFloats(j.at("p10")), readFloats(j.at("p90"))};
}

tl::unexpected<Error> bad(const std::string& source, const std::string& what, const std::exception& e) {
    return fail(Error::Kind::InvalidInput, source, what + " export is missing or has a wrong field: " + e.what());
}

} // namespace

json occlusionToJson(const OcclusionRelevance& o) {
    return {{"segment_seconds", o.segmentSeconds},
            {"masking_value", o.maskingValue},
            {"segment_start_seconds", o.segmentStartSeconds},
            {"segment_end_seconds", o.segmentEndSeconds},
            {"tags", o.tagCount},
            {"drops", matrix(o.drops, o.segmentCount(), o.tagCount)}};
}

Result<OcclusionRelevance> occlusionFromJson(const json& j, const std::string& source) {
    OcclusionRelevance o;
    try {
        o.segmentSeconds = j.at("segment_seconds").get<double>();
        o.maskingValue = j.at("masking_value").get<std::string>();
        o.segmentStartSeconds = j.at("segment_start_seconds").get<std::vector<double>>();
        o.segmentEndSeconds = j.at("segment_end_seconds").get<std::vector<double>>();
        if (o.segmentEndSeconds.size() != o.segmentStartSeconds.size())
            throw std::runtime_error("segment start and end lists differ in length");
        o.tagCount = j.at("tags").get<size_t>();
        o.drops = readMatrix(j.at("drops"), o.segmentCount(), o.tagCount);
    } catch (const std::exception& e) {
        return bad(source, "occlusion", e);
    }
    return o;
}

json timeFrequencyToJson(const TimeFrequencyOcclusion& t) {
    json bands = json::array();
    for (size_t b = 0; b < t.bandCount(); ++b)
        bands.push_back({{"first_mel", t.bandFirstMel[b]}, {"end_mel", t.bandEndMel[b]}, {"low_hz", t.bandLowHz[b]},
                         {"high_hz", t.bandHighHz[b]}});
    return {{"tag", t.tagName},
            {"index", t.tag},
            {"start_seconds", t.startSeconds},
            {"end_seconds", t.endSeconds},
            {"segment_start_seconds", t.segmentStartSeconds},
            {"segment_end_seconds", t.segmentEndSeconds},
            {"bands", std::move(bands)},
            {"drops", matrix(t.drops, t.segmentCount(), t.bandCount())}};
}

Result<TimeFrequencyOcclusion> timeFrequencyFromJson(const json& j, const std::string& source) {
    TimeFrequencyOcclusion t;
    try {
        t.tagName = j.at("tag").get<std::string>();
        t.tag = j.at("index").get<size_t>();
        t.startSeconds = j.at("start_seconds").get<double>();
        t.endSeconds = j.at("end_seconds").get<double>();
        t.segmentStartSeconds = j.at("segment_start_seconds").get<std::vector<double>>();
        t.segmentEndSeconds = j.at("segment_end_seconds").get<std::vector<double>>();
        if (t.segmentEndSeconds.size() != t.segmentStartSeconds.size())
            throw std::runtime_error("segment start and end lists differ in length");
        for (const auto& b : j.at("bands")) {
            t.bandFirstMel.push_back(b.at("first_mel").get<int>());
            t.bandEndMel.push_back(b.at("end_mel").get<int>());
            t.bandLowHz.push_back(b.at("low_hz").get<double>());
            t.bandHighHz.push_back(b.at("high_hz").get<double>());
        }
        t.drops = readMatrix(j.at("drops"), t.segmentCount(), t.bandCount());
    } catch (const std::exception& e) {
        return bad(source, "time-frequency occlusion", e);
    }
    return t;
}

json curveToJson(const FaithfulnessCurve& c) {
    return {{"method", c.method},
            {"tag", c.tagName},
            {"index", c.tag},
            {"segment_seconds", c.segmentSeconds},
            {"segment_count", c.segmentCount},
            {"fractions", c.fractions},
            {"deletion", floats(c.deletion)},
            {"insertion", floats(c.insertion)},
            {"random_orderings", c.randomOrderings},
            {"random_deletion", randomJson(c.randomDeletion)},
            {"random_insertion", randomJson(c.randomInsertion)},
            {"score", c.score},
            {"random_score_mean", c.randomScoreMean},
            {"area_between", c.areaBetween},
            {"share_beaten", c.shareBeaten},
            {"verdict", verdictName(c.verdict)},
            {"summary", c.summary()}};
}

Result<FaithfulnessCurve> curveFromJson(const json& j, const std::string& source) {
    FaithfulnessCurve c;
    try {
        c.method = j.at("method").get<std::string>();
        c.tagName = j.at("tag").get<std::string>();
        c.tag = j.at("index").get<size_t>();
        c.segmentSeconds = j.at("segment_seconds").get<double>();
        c.segmentCount = j.at("segment_count").get<size_t>();
        c.fractions = j.at("fractions").get<std::vector<double>>();
        c.deletion = readFloats(j.at("deletion"));
        c.insertion = readFloats(j.at("insertion"));
        if (c.deletion.size() != c.fractions.size() || c.insertion.size() != c.fractions.size())
            throw std::runtime_error("deletion/insertion curves and fractions differ in length");
        c.randomOrderings = j.at("random_orderings").get<int>();
        c.randomDeletion = readRandom(j.at("random_deletion"));
        c.randomInsertion = readRandom(j.at("random_insertion"));
        c.score = j.at("score").get<double>();
        c.randomScoreMean = j.at("random_score_mean").get<double>();
        c.areaBetween = j.at("area_between").get<double>();
        c.shareBeaten = j.at("share_beaten").get<double>();
        if (!parseVerdict(j.at("verdict").get<std::string>(), c.verdict))
            throw std::runtime_error("unknown verdict '" + j.at("verdict").get<std::string>() + "'");
    } catch (const std::exception& e) {
        return bad(source, "faithfulness curve", e);
    }
    return c;
}

json comparisonToJson(const ModelComparison& m, const TrackAnalysis& a, const TrackAnalysis& b) {
    auto nameOf = [](const TrackAnalysis& x, size_t i) { return i < x.tagNames.size() ? x.tagNames[i] : std::to_string(i); };
    json rows = json::array();
    for (const auto& r : m.tags) {
        json row = {{"name", r.name},          {"kind", r.kind},
                    {"score_a", num(r.scoreA)}, {"score_b", num(r.scoreB)},
                    {"evidence_a", nameOf(a, r.evidenceA)}, {"evidence_b", nameOf(b, r.evidenceB)}};
        if (r.evidenceOverlap) row["evidence_overlap"] = *r.evidenceOverlap;
        rows.push_back(std::move(row));
    }
    json j = {{"model_a", m.modelA},
              {"model_b", m.modelB},
              {"rank_correlation", m.rankCorrelation},
              {"overlap_rows", m.overlapRows},
              {"top_segments", m.topSegments},
              {"tags", std::move(rows)}};
    if (m.meanEvidenceOverlap) j["mean_evidence_overlap"] = *m.meanEvidenceOverlap;
    return j;
}

} // namespace tagscope::analysis
