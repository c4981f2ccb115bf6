// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/feature_set.h"

#include <array>
#include <cmath>
#include <limits>

#include "core/features/harmonic_patterns.h"

namespace tagscope::features {

namespace {

std::vector<FeatureInfo> buildCatalog() {
    std::vector<FeatureInfo> c = {
        // Rhythm (aubio).
        {"tempo_bpm", "tempo", "BPM", 40, 220,
         "aubio beat tracker (tempo 'default' onset function, 1024/256 at 22.05 kHz); 60 / median inter-beat interval."},
        {"beat_loudness_db", "beat loudness", "dBFS", -90, 0,
         "Mean RMS level of the 50 ms that follow each tracked beat."},
        {"danceability", "danceability (pulse clarity)", "", 0, 1,
         "Pulse clarity: highest normalized autocorrelation of the spectral-flux onset envelope at beat periods of "
         "0.33-1.5 s (40-180 BPM). 1 = perfectly periodic pulse, 0 = none. Not Essentia's DFA danceability."},
        {"onset_rate", "onset rate", "onsets/s", 0, 15,
         "aubio onset detector ('hfc', 1024/256, default threshold): onsets per second."},
        // Loudness (libebur128).
        {"loudness_lufs", "loudness", "LUFS", -70, 0,
         "EBU R128 / ITU-R BS.1770-4 integrated loudness (libebur128) of the mono mixdown, counted as dual mono "
         "when the file has two or more channels (exact for identical channels)."},
        {"loudness_range_lu", "loudness range", "LU", 0, 30, "EBU Tech 3342 loudness range (libebur128)."},
        {"dynamic_complexity_db", "dynamic complexity", "dB", 0, 20,
         "Mean absolute deviation of the level (10 log10 of mean square) in 200 ms frames from its mean; frames "
         "below -60 dBFS are ignored (Essentia's definition, without its weighting)."},
        // Spectral (FFTW, 4096-point Hann frames, hop 2048 at 22.05 kHz; mean over non-silent frames).
        {"spectral_centroid_hz", "brightness (spectral centroid)", "Hz", 0, 11025,
         "Magnitude-weighted mean frequency of the spectrum."},
        {"spectral_spread_hz", "spectral spread", "Hz", 0, 6000,
         "Magnitude-weighted standard deviation of frequency around the centroid."},
        {"spectral_rolloff_hz", "spectral rolloff", "Hz", 0, 11025,
         "Frequency below which 85 % of the spectral energy lies."},
        {"spectral_flux", "spectral flux", "", 0, 1.4142,
         "Euclidean distance between successive magnitude spectra, each scaled to unit length."},
        {"spectral_entropy", "spectral entropy", "", 0, 1,
         "Shannon entropy of the power spectrum as a distribution, divided by its maximum (log of bin count)."},
        {"spectral_flatness", "spectral flatness", "", 0, 1,
         "Geometric over arithmetic mean of the power spectrum (white noise about 0.56, a pure tone near 0)."},
        {"spectral_decrease", "spectral decrease", "", -1, 1,
         "Peeters' decrease: sum over bins k>=2 of (a_k - a_1) / (k - 1), divided by the sum of those a_k (magnitudes)."},
        {"spectral_complexity", "spectral complexity", "peaks", 0, 100,
         "Number of spectral peaks (local maxima) above 0.005 of full scale (a full-scale sine has amplitude 1)."},
        {"zero_crossing_rate", "zero-crossing rate", "1/sample", 0, 1,
         "Sign changes per sample in the frame (a 1 kHz sine at 22.05 kHz gives 0.091)."},
        {"energy_low", "energy, low band", "share", 0, 1, "Share of spectral power in 20-150 Hz."},
        {"energy_mid_low", "energy, mid-low band", "share", 0, 1, "Share of spectral power in 150-800 Hz."},
        {"energy_mid_high", "energy, mid-high band", "share", 0, 1, "Share of spectral power in 800-4000 Hz."},
        {"energy_high", "energy, high band", "share", 0, 1,
         "Share of spectral power in 4000-11025 Hz (the analysis rate's Nyquist limit)."},
        {"pitch_salience", "pitch salience", "", 0, 1,
         "Highest autocorrelation of the magnitude spectrum at lags of 100-5000 Hz over its zero-lag value "
         "(Essentia's definition): high for harmonic sounds, low for noise and pure tones."},
        {"dissonance", "sensory dissonance", "", 0, 1,
         "Plomp-Levelt roughness (Sethares' parameters) summed over pairs of the 30 strongest spectral peaks, "
         "weighted by the smaller amplitude of each pair, divided by the weights and the curve's maximum. The only "
         "mid-level perceptual quality with a documented signal measure; melodiousness, articulation, rhythmic "
         "complexity/stability and tonal stability need a network trained on listener ratings and are not computed."},
        // Tonal (chroma from the same FFT frames, 65-2100 Hz).
        {"key_strength", "key strength", "", -1, 1,
         "Pearson correlation of the mean chroma with the best of 24 rotated Krumhansl-Kessler key profiles."},
        {"key_minor", "mode (minor)", "", 0, 1, "1 when the estimated key is minor, 0 when major."},
        {"chord_change_rate", "chord change rate", "changes/s", 0, 4,
         "Changes per second in the chord sequence (24 major/minor triad templates on smoothed chroma)."},
        {"tonic_share", "tonic chords", "share", 0, 1,
         "Share of chords with tonic function in the key (major: I, iii, vi; minor: i, III)."},
        {"subdominant_share", "subdominant chords", "share", 0, 1,
         "Share of chords with subdominant function (major: IV, ii; minor: iv, IV, VI)."},
        {"dominant_share", "dominant chords", "share", 0, 1,
         "Share of chords with dominant function (major: V; minor: V, v, VII)."},
    };
    for (const auto& p : harmonicPatterns()) {
        const std::string arrow = patternName(p);
        c.push_back({patternKey(p), "pattern " + arrow, "share", 0, 1,
                     "Frequency of the " + std::to_string(p.size()) + "-step harmonic-function pattern " + arrow +
                         " among all " + std::to_string(p.size()) +
                         "-step windows of the function sequence (repeats merged, other chords skipped)."});
    }
    c.push_back({std::string(kVocalPresenceKey), "vocal presence", "probability", 0, 1,
                 "Not a signal measure: filled from the tagger's own vocal tags (NaN until then)."});
    return c;
}

} // namespace

const std::vector<FeatureInfo>& featureCatalog() {
    static const std::vector<FeatureInfo> catalog = buildCatalog();
    return catalog;
}

std::optional<size_t> featureIndex(std::string_view key) {
    const auto& c = featureCatalog();
    for (size_t i = 0; i < c.size(); ++i)
        if (c[i].key == key) return i;
    return std::nullopt;
}

std::string ChordEvent::name() const {
    static constexpr std::array<const char*, 12> kNames = {"C", "C#", "D", "D#", "E", "F",
                                                           "F#", "G", "G#", "A", "A#", "B"};
    return std::string(kNames[static_cast<size_t>(((root % 12) + 12) % 12)]) + (minor ? "m" : "");
}

double TrackFeatures::value(std::string_view key) const {
    const auto i = featureIndex(key);
    if (!i || *i >= values.size()) return std::numeric_limits<double>::quiet_NaN();
    return values[*i];
}

void TrackFeatures::setValue(std::string_view key, double v) {
    const auto i = featureIndex(key);
    if (!i) return;
    if (values.size() != featureCatalog().size()) values.resize(featureCatalog().size(), std::nan(""));
    values[*i] = v;
}

std::vector<double> unknownValues() {
    return std::vector<double>(featureCatalog().size(), std::numeric_limits<double>::quiet_NaN());
}

std::string keyName(int tonic, bool minor) {
    ChordEvent c;
    c.root = tonic;
    return c.name() + (minor ? " minor" : " major");
}

std::string_view functionSymbol(HarmonicFunction f) {
    switch (f) {
    case HarmonicFunction::Tonic: return "T";
    case HarmonicFunction::Subdominant: return "S";
    case HarmonicFunction::Dominant: return "D";
    case HarmonicFunction::Other: break;
    }
    return "-";
}

} // namespace tagscope::features
