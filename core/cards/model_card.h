// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/dsp/mel_spectrogram.h"
#include "core/tags/tag_vocabulary.h"

namespace tagscope::cards {

/// A model card (JSON in models/ or a user's model folder): what a model is, what it was trained
/// on, how to feed it and how to read its output. Relative paths are relative to the card's folder.
///
/// {
///   "id": "tagscope-mtt-student-v2", "name": "...", "description": "...",
///   "architecture": "mtt" | "cnnsa" | "fcn" | "musicnn" | "crnn",
///   "hyper_parameters": { ... architecture specific ... },
///   "sample_rate": 22050, "chunk_seconds": 10.0,          // or "chunk_samples"
///   "track_chunk_samples": 463872,                         // optional, length-free models only
///   "mel": { "n_fft": 1024, "hop_length": 512, "f_min": 0, "f_max": 11025, "n_mels": 128 },
///   "vocabularies": [ { "name": "mtat_top50", "tags": [...] } | { "name": ..., "file": "x.txt" } ],
///   "taxonomy": "taxonomy_mtat.json",                      // optional
///   "weights": "model.safetensors", "weights_key_prefix": "", "sha256": "...",
///   "source": "...", "license": "...", "evaluation": { ... }  // optional, free form
/// }
struct ModelCard {
    std::string id;
    std::string name;
    std::string description;
    std::string architecture;
    nlohmann::json hyperParameters = nlohmann::json::object();
    int sampleRate = 16000;
    int64_t chunkSamples = 0;
    /// Optional: the track's tags (TrackAnalysis::trackScores) come from a second pass over
    /// chunks of this length instead of the mean of the taggram's chunks. For a length-free
    /// model (the MTT) trained on both lengths: short chunks give a fine taggram and local
    /// explanations, long ones (the teachers' own 29 s) the better track tags. 0 = one pass;
    /// otherwise at least chunkSamples.
    int64_t trackChunkSamples = 0;
    dsp::MelConfig mel;
    std::vector<tags::TagVocabulary> vocabularies; ///< concatenated in output order
    std::optional<std::filesystem::path> taxonomyPath;
    std::filesystem::path weightsPath;             ///< absolute
    std::string weightsKeyPrefix;
    std::string sha256;                            ///< of the weights file; empty = unchecked
    std::string source;
    std::string license;
    nlohmann::json evaluation = nlohmann::json::object();
    std::filesystem::path cardPath;                ///< absolute path of the card itself

    size_t tagCount() const;
    /// Tag name at output index `i` (across vocabularies).
    const std::string& tagName(size_t i) const;
    /// All tag names in output order.
    std::vector<std::string> tagNames() const;
    /// Vocabulary name of each output tag, in output order.
    std::vector<std::string> vocabularyOfTags() const;
    /// Output index of a tag by name ("piano"), or "vocab:tag" to disambiguate.
    std::optional<size_t> tagIndex(const std::string& tag) const;
    double chunkSeconds() const { return sampleRate > 0 ? double(chunkSamples) / sampleRate : 0.0; }
    /// True when the track's tags come from their own, longer chunks (trackChunkSamples).
    bool hasTrackChunks() const { return trackChunkSamples > chunkSamples; }

    nlohmann::json toJson() const; ///< card as written (paths relative to the card's folder)
};

/// Reads and validates a card; errors name the card file and the first problem.
Result<ModelCard> loadModelCard(const std::filesystem::path& path);

/// Writes a card atomically (paths made relative to the card's folder).
Result<void> saveModelCard(const ModelCard& card, const std::filesystem::path& path);

/// Cards (*.json with an "architecture" field) found directly in each directory, in order.
/// Unreadable cards are skipped and reported through `problems` when given.
std::vector<ModelCard> discoverModelCards(const std::vector<std::filesystem::path>& directories,
                                          std::vector<Error>* problems = nullptr);

/// Directories searched for model cards, in order of preference: $TAGSCOPE_MODELS_DIR, the
/// user's data folder (~/.local/share/tagscope/models), and the bundled models: an installed
/// package's <prefix>/share/tagscope/models, or the source tree's models/ for a program run from
/// its build tree (never both; see bundledDataDirectory()).
/// $TAGSCOPE_MODEL_PATH (folders separated by ':') replaces the whole list.
std::vector<std::filesystem::path> defaultModelDirectories();

/// Folder where imported models are written ($XDG_DATA_HOME/tagscope/models).
std::filesystem::path userModelDirectory();

} // namespace tagscope::cards
