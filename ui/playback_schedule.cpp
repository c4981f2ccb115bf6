// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/playback_schedule.h"

#include <algorithm>
#include <cmath>

namespace tagscope::ui {

int64_t secondsToFrame(double seconds, int sampleRate) {
    if (!(seconds > 0.0) || sampleRate <= 0) return 0;
    return int64_t(std::llround(seconds * sampleRate));
}

double frameToSeconds(int64_t frame, int sampleRate) {
    return sampleRate > 0 ? double(frame) / double(sampleRate) : 0.0;
}

PlaybackSchedule::PlaybackSchedule(std::vector<PlaySegment> segments, bool loop) : m_loop(loop) {
    for (const auto& s : segments)
        if (s.length() > 0) {
            m_segments.push_back(s);
            m_totalFrames += s.length();
        }
}

PlaybackSchedule PlaybackSchedule::fromPosition(double seconds, int64_t totalFrames, int sampleRate) {
    const int64_t start = std::clamp<int64_t>(secondsToFrame(seconds, sampleRate), 0, totalFrames);
    return PlaybackSchedule({{start, totalFrames}}, false);
}

PlaybackSchedule PlaybackSchedule::fromRegion(double a, double b, int64_t totalFrames, int sampleRate, bool loop) {
    if (b < a) std::swap(a, b);
    const int64_t s = std::clamp<int64_t>(secondsToFrame(a, sampleRate), 0, totalFrames);
    const int64_t e = std::clamp<int64_t>(secondsToFrame(b, sampleRate), 0, totalFrames);
    return PlaybackSchedule({{s, e}}, loop);
}

PlaybackSchedule PlaybackSchedule::fromSegments(const std::vector<std::pair<double, double>>& segments,
                                                int64_t totalFrames, int sampleRate, double fadeSeconds) {
    std::vector<PlaySegment> out;
    for (const auto& [a, b] : segments) {
        const int64_t s = std::clamp<int64_t>(secondsToFrame(a, sampleRate), 0, totalFrames);
        const int64_t e = std::clamp<int64_t>(secondsToFrame(b, sampleRate), 0, totalFrames);
        out.push_back({s, e});
    }
    PlaybackSchedule schedule(std::move(out), false);
    schedule.setFadeFrames(secondsToFrame(fadeSeconds, sampleRate));
    return schedule;
}

float PlaybackSchedule::gainAt(int64_t playedFrames) const {
    if (m_totalFrames == 0 || playedFrames < 0) return 0.0f;
    if (playedFrames >= m_totalFrames) {
        if (!m_loop) return 0.0f;
        playedFrames %= m_totalFrames;
    }
    for (const auto& s : m_segments) {
        if (playedFrames >= s.length()) {
            playedFrames -= s.length();
            continue;
        }
        const int64_t fade = std::min(m_fadeFrames, s.length() / 2);
        if (fade <= 0) return 1.0f;
        const int64_t fromEnd = s.length() - 1 - playedFrames;
        const int64_t edge = std::min(playedFrames, fromEnd);
        return edge >= fade ? 1.0f : float(edge) / float(fade);
    }
    return 0.0f;
}

std::pair<int64_t, int64_t> PlaybackSchedule::contiguousRun(int64_t playedFrames) const {
    if (m_totalFrames == 0 || playedFrames < 0) return {0, 0};
    if (playedFrames >= m_totalFrames) {
        if (!m_loop) return {0, 0};
        playedFrames %= m_totalFrames;
    }
    for (const auto& s : m_segments) {
        if (playedFrames < s.length()) return {s.length() - playedFrames, s.startFrame + playedFrames};
        playedFrames -= s.length();
    }
    return {0, 0};
}

std::optional<int64_t> PlaybackSchedule::sourceFrameAt(int64_t playedFrames) const {
    if (m_totalFrames == 0) return std::nullopt;
    const auto [run, frame] = contiguousRun(std::max<int64_t>(playedFrames, 0));
    if (run == 0) return std::nullopt;
    return frame;
}

} // namespace tagscope::ui
