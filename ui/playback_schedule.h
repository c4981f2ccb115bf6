// SPDX-License-Identifier: GPL-3.0-or-later
// Pure mapping between frames sent to an audio device and positions in the source audio.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace tagscope::ui {

/// A half-open span [startFrame, endFrame) of the source audio.
struct PlaySegment {
    int64_t startFrame = 0;
    int64_t endFrame = 0;
    int64_t length() const { return endFrame - startFrame; }
};

/// What to play: segments in order (a region, the rest of the track from a seek point, or the
/// evidence segments of a tag), optionally looped. Maps "n frames played so far" to the source
/// frame under the playhead, so the playhead can jump between segments exactly.
class PlaybackSchedule {
public:
    PlaybackSchedule() = default;
    /// Empty segments are dropped; `loop` repeats the whole sequence forever.
    PlaybackSchedule(std::vector<PlaySegment> segments, bool loop);

    /// From `seconds` (clamped into the track) to the end of a track of `totalFrames`.
    static PlaybackSchedule fromPosition(double seconds, int64_t totalFrames, int sampleRate);
    /// A selected region [a, b] in seconds (either order, clamped into the track).
    static PlaybackSchedule fromRegion(double a, double b, int64_t totalFrames, int sampleRate, bool loop);
    /// Evidence segments [start, end) in seconds, played in the given order (clamped, empty ones
    /// dropped), each faded in and out over `fadeSeconds` so the jumps do not click.
    static PlaybackSchedule fromSegments(const std::vector<std::pair<double, double>>& segments, int64_t totalFrames,
                                         int sampleRate, double fadeSeconds = kEvidenceFadeSeconds);

    /// Fade length of evidence playback (between the 10 and 20 ms that avoid clicks yet keep onsets).
    static constexpr double kEvidenceFadeSeconds = 0.015;

    const std::vector<PlaySegment>& segments() const { return m_segments; }
    bool loops() const { return m_loop; }
    bool isEmpty() const { return m_totalFrames == 0; }
    /// Frames in one pass over all segments.
    int64_t totalFrames() const { return m_totalFrames; }

    /// Source frame reached after `playedFrames` output frames; nullopt once a non-looping
    /// schedule is exhausted.
    std::optional<int64_t> sourceFrameAt(int64_t playedFrames) const;
    /// Frames that can be copied contiguously starting at output frame `playedFrames`
    /// (0 when exhausted), with the source frame they start at.
    std::pair<int64_t, int64_t> contiguousRun(int64_t playedFrames) const;
    /// Frames of the linear fade-in and fade-out at each segment's ends (0: none).
    int64_t fadeFrames() const { return m_fadeFrames; }
    void setFadeFrames(int64_t frames) { m_fadeFrames = frames > 0 ? frames : 0; }
    /// Gain (0..1) of output frame `playedFrames`: 1 inside a segment, ramping from 0 over the
    /// first fadeFrames() and to 0 over the last (at most half a segment each); 0 once exhausted.
    float gainAt(int64_t playedFrames) const;

private:
    std::vector<PlaySegment> m_segments;
    bool m_loop = false;
    int64_t m_totalFrames = 0;
    int64_t m_fadeFrames = 0;
};

/// Seconds <-> frames at a sample rate (rounded to the nearest frame, clamped at 0).
int64_t secondsToFrame(double seconds, int sampleRate);
double frameToSeconds(int64_t frame, int sampleRate);

} // namespace tagscope::ui
