// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/progress_reporter.h"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace tagscope::cli {
namespace {

constexpr int kBarWidth = 30;
constexpr size_t kLabelWidth = 40;

double secondsSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

bool stderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

ProgressReporter::ProgressReporter(bool bar) : m_bar(bar) {}

void ProgressReporter::begin(const std::string& label, size_t index, size_t total) {
    m_label = label.size() > kLabelWidth ? "..." + label.substr(label.size() - kLabelWidth + 3) : label;
    m_index = index;
    m_total = total;
    m_stages.clear();
    // NOTE: decoding starts before its first progress report; the clock starts here.
    m_stage = "decode";
    m_stageStart = std::chrono::steady_clock::now();
    m_lastDraw = {};
    if (m_bar) draw(0.0, m_stage);
}

ProgressFn ProgressReporter::callback() {
    return [this](double fraction, std::string_view stage) { onProgress(fraction, stage); };
}

void ProgressReporter::onProgress(double fraction, std::string_view stage) {
    if (stage != m_stage) {
        if (!m_stage.empty()) m_stages.emplace_back(m_stage, secondsSince(m_stageStart));
        m_stage = std::string(stage);
        m_stageStart = std::chrono::steady_clock::now();
    }
    if (m_bar && secondsSince(m_lastDraw) >= 0.05) draw(fraction, stage);
}

void ProgressReporter::draw(double fraction, std::string_view stage) {
    m_lastDraw = std::chrono::steady_clock::now();
    const int filled = std::clamp(int(fraction * kBarWidth + 0.5), 0, kBarWidth);
    std::fprintf(stderr, "\r\033[K[%zu/%zu] %-*s %-9.*s [%s%s] %3d%%", m_index + 1, m_total, int(kLabelWidth),
                 m_label.c_str(), int(stage.size()), stage.data(), std::string(size_t(filled), '#').c_str(),
                 std::string(size_t(kBarWidth - filled), '.').c_str(), int(fraction * 100 + 0.5));
    std::fflush(stderr);
}

void ProgressReporter::end() {
    if (!m_stage.empty()) m_stages.emplace_back(m_stage, secondsSince(m_stageStart));
    m_stage.clear();
    if (m_bar) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
    }
}

std::string ProgressReporter::timingLine() const {
    std::string line;
    double total = 0.0;
    char buf[64];
    // Stages may report more than once (e.g. model -> attention -> model); sum by name.
    std::vector<std::pair<std::string, double>> merged;
    for (const auto& [name, s] : m_stages) {
        auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& m) { return m.first == name; });
        if (it == merged.end()) merged.emplace_back(name, s);
        else it->second += s;
        total += s;
    }
    for (const auto& [name, s] : merged) {
        std::snprintf(buf, sizeof buf, "%s %.3f s, ", name.c_str(), s);
        line += buf;
    }
    std::snprintf(buf, sizeof buf, "total %.3f s", total);
    return line + buf;
}

} // namespace tagscope::cli
