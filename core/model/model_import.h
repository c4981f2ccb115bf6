// SPDX-License-Identifier: GPL-3.0-or-later
// Import of upstream checkpoints into the project's model format (safetensors + model card).
// Torch-free header.
#pragma once

#include <filesystem>
#include <string>

#include "core/common/error.h"
#include "core/common/tensor.h"
#include "core/cards/model_card.h"

namespace tagscope::model {

struct ImportOptions {
    std::string architecture;              ///< "fcn", "musicnn", "crnn", "cnnsa", "mtt"; "" = infer from the keys
    std::string dataset;                   ///< "mtat", "msd", "jamendo", "msd_cals"; "" = infer from the file name
    std::filesystem::path tagsFile;        ///< tag list in output order; "" = look for <vocabulary>.txt near the checkpoint
    std::string id;                        ///< model id and file stem; "" = "<dataset>-<architecture>"
    std::filesystem::path outputDirectory; ///< "" = cards::userModelDirectory()
};

/// What an import wrote.
struct ImportResult {
    cards::ModelCard card;               ///< the card as written (cardPath and weightsPath absolute)
    std::string inferredArchitecture; ///< what the keys suggested ("" when they matched nothing known)
    std::string keyPrefix;            ///< prefix removed from the checkpoint's keys ("network." ...)
};

/// Reads an upstream checkpoint (sota-music-tagging-models best_model.pth in the legacy torch
/// format, Music Tagging Transformer teacher.ckpt with "network." keys, CNNSA .pth), builds the
/// architecture, checks that every weight fits it (a wrong file or --arch gives Error::Kind::Mismatch
/// naming the offending keys), then writes <out>/<id>.safetensors (without the spec.* mel buffers
/// the project recomputes) and <out>/<id>.json with the sha256, source, licence, mel front end,
/// chunk length, vocabulary and, when the project has one, a copy of the vocabulary's taxonomy.
Result<ImportResult> importCheckpoint(const std::filesystem::path& checkpoint, const ImportOptions& options = {});

/// The architecture a state dict's keys belong to ("fcn", "musicnn", "crnn", "cnnsa", "mtt"),
/// after removing `prefix`; "" when none fits.
std::string inferArchitecture(const TensorMap& weights, const std::string& prefix = "");

/// The tag vocabulary name of a dataset ("mtat" -> "mtat_top50", "msd_cals" -> "msd_cals50"); "" if unknown.
std::string vocabularyOfDataset(const std::string& dataset);

} // namespace tagscope::model
