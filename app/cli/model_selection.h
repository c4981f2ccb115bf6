// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <string>

#include "app/cli/cli_common.h"
#include "core/cards/model_card.h"
#include "core/model/tagger.h"

namespace tagscope::cli {

/// The card named by `--model`: a path to a card file (.json), or the id of a card found in
/// cards::defaultModelDirectories(); "" picks the first card found. Errors explain what is
/// installed and how to import a model.
Result<cards::ModelCard> selectModelCard(const std::string& spec);

/// Selects and loads the model; on failure prints the error and returns nullptr (exit code 3).
std::shared_ptr<model::Tagger> loadSelectedModel(const GlobalOptions& options);

} // namespace tagscope::cli
