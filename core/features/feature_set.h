// SPDX-License-Identifier: GPL-3.0-or-later
// The perceptual feature set (issue 11): the ordered catalog of features, with unit, nominal
// range and method, and the value types that hold one track's features, per track and per
// segment. The catalog order is stable: it is the column order of the surrogate models that
// explain tags in musical terms. Torch-free and Qt-free.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tagscope::features {

/// One feature of the catalog.
struct FeatureInfo {
    std::string key;      ///< stable machine name, e.g. "tempo_bpm" (JSON key, surrogate column)
    std::string name;     ///< for people, e.g. "tempo"
    std::string unit;     ///< e.g. "BPM", "LUFS", "Hz", "" for unitless
    double minValue = 0;  ///< nominal range (values may fall outside for unusual audio)
    double maxValue = 1;
    std::string method;   ///< how it is measured, one or two sentences
};

/// The features, in their stable order (the surrogates' columns). Never empty; any thread.
const std::vector<FeatureInfo>& featureCatalog();

/// Position of `key` in featureCatalog(), or nullopt when no feature has that key.
std::optional<size_t> featureIndex(std::string_view key);

/// Key of the feature the tagger fills (from its own vocal tags), not the signal analysis.
inline constexpr std::string_view kVocalPresenceKey = "vocal_presence";

/// Harmonic function of a chord relative to the key.
enum class HarmonicFunction { Tonic, Subdominant, Dominant, Other };

/// One chord of the estimated chord sequence (major or minor triad).
struct ChordEvent {
    double startSeconds = 0;
    double endSeconds = 0;
    int root = 0;          ///< pitch class, 0 = C ... 11 = B
    bool minor = false;
    HarmonicFunction function = HarmonicFunction::Other;  ///< relative to the track's key
    /// "C", "Am", "F#" ...
    std::string name() const;
};

/// Features of one segment of the track (default 5 s).
struct SegmentFeatures {
    double startSeconds = 0;
    double endSeconds = 0;
    std::vector<double> values;  ///< featureCatalog() order; NaN = unknown for this segment
    std::string key;             ///< key estimated from this segment alone ("A minor"), "" unknown
};

/// Every feature of one track.
struct TrackFeatures {
    std::vector<double> values;              ///< featureCatalog() order; NaN = unknown
    std::vector<SegmentFeatures> segments;   ///< consecutive, covering the track
    std::string key;                         ///< "A minor"; "" when unknown (e.g. silence)
    std::vector<double> beatSeconds;         ///< beat times from the beat tracker
    std::vector<ChordEvent> chords;          ///< the chord sequence
    double durationSeconds = 0;
    int analysisSampleRate = 0;              ///< rate the features were computed at

    /// The track value of feature `key`, NaN when unknown or no such feature.
    double value(std::string_view key) const;
    /// Sets the track value of feature `key` (no-op for an unknown key). Used e.g. by the
    /// surrogate to fill kVocalPresenceKey from the tagger's vocal tags.
    void setValue(std::string_view key, double v);
};

/// A vector of catalog size filled with NaN.
std::vector<double> unknownValues();

/// "C major", "F# minor" for pitch class 0..11 and mode.
std::string keyName(int tonic, bool minor);

/// Short name of a harmonic function: "T", "S", "D", "-".
std::string_view functionSymbol(HarmonicFunction f);

} // namespace tagscope::features
