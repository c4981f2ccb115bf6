// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/feature_json.h"

#include <cmath>

namespace tagscope::features {

namespace {
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
} // namespace

nlohmann::json featuresToJson(const TrackFeatures& f) {
    const auto& catalog = featureCatalog();
    nlohmann::json j;
    j["key"] = f.key.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.key);
    for (size_t i = 0; i < catalog.size(); ++i) j[catalog[i].key] = number(i < f.values.size() ? f.values[i] : NAN);
    j["duration_seconds"] = f.durationSeconds;
    j["analysis_sample_rate"] = f.analysisSampleRate;
    j["beats"] = f.beatSeconds;
    auto chords = nlohmann::json::array();
    for (const auto& c : f.chords)
        chords.push_back({{"start", c.startSeconds}, {"end", c.endSeconds}, {"chord", c.name()},
                          {"function", std::string(functionSymbol(c.function))}});
    j["chords"] = std::move(chords);
    nlohmann::json seg;
    seg["start_seconds"] = nlohmann::json::array();
    seg["end_seconds"] = nlohmann::json::array();
    seg["key"] = nlohmann::json::array();
    for (const auto& info : catalog) seg[info.key] = nlohmann::json::array();
    for (const auto& s : f.segments) {
        seg["start_seconds"].push_back(s.startSeconds);
        seg["end_seconds"].push_back(s.endSeconds);
        seg["key"].push_back(s.key.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.key));
        for (size_t i = 0; i < catalog.size(); ++i)
            seg[catalog[i].key].push_back(number(i < s.values.size() ? s.values[i] : NAN));
    }
    j["segments"] = std::move(seg);
    return j;
}

nlohmann::json catalogToJson() {
    auto a = nlohmann::json::array();
    for (const auto& f : featureCatalog())
        a.push_back({{"key", f.key}, {"name", f.name}, {"unit", f.unit}, {"min", f.minValue}, {"max", f.maxValue},
                     {"method", f.method}});
    return a;
}

} // namespace tagscope::features
