// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/analysis/json_values.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace tagscope::analysis::json_values {

using nlohmann::json;

/// A float as the shortest decimal that reads back as the same float (0.1f -> 0.1, not
/// 0.100000001), so exports stay small and exact.
json num(float v) {
    if (!std::isfinite(v)) return nullptr;
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::strtod(std::string(buf, res.ptr).c_str(), nullptr);
}

json floats(const std::vector<float>& values) {
    json a = json::array();
    for (float v : values) a.push_back(num(v));
    return a;
}

std::vector<float> readFloats(const json& a) {
    std::vector<float> out;
    out.reserve(a.size());
    for (const auto& v : a) out.push_back(v.is_null() ? NAN : v.get<float>());
    return out;
}

json seriesJson(const TimeSeries& s) {
    return {{"start_seconds", s.startSeconds}, {"end_seconds", s.endSeconds}, {"values", floats(s.values)}};
}

TimeSeries readSeries(const json& j) {
    TimeSeries s;
    s.startSeconds = j.at("start_seconds").get<std::vector<double>>();
    s.endSeconds = j.at("end_seconds").get<std::vector<double>>();
    s.values = readFloats(j.at("values"));
    if (s.startSeconds.size() != s.values.size() || s.endSeconds.size() != s.values.size())
        throw std::runtime_error("a time series has start, end and value lists of different lengths");
    return s;
}

} // namespace tagscope::analysis::json_values
