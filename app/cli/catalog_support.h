// SPDX-License-Identifier: GPL-3.0-or-later
// What the catalog commands (scan, find, catalog merge) share: the --catalog option, how an
// analysis is identified (model weights sha256 + canonical options JSON).
#pragma once

#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "core/catalog/catalog.h"
#include "core/cards/model_card.h"
#include "core/model/analyzer.h"

namespace tagscope::cli {

/// Adds `--catalog PATH` to `sub`, stored in `target` ("" = Catalog::defaultPath()).
void addCatalogOption(CLI::App* sub, std::string& target);

/// Opens the catalog named by `option` (or the default); prints the error and returns nullopt
/// when it cannot be opened.
std::optional<catalog::Catalog> openCatalogOrReport(const std::string& option);

/// The canonical JSON of the options that change an analysis' numbers (sorted keys, no spaces).
std::string analysisOptionsJson(const model::AnalysisOptions& options);

/// The sha256 of the model's weights: the card's, or computed from the weights file.
Result<std::string> modelWeightsSha256(const cards::ModelCard& card);

/// Writes a file path into a JSON object without loss (the documented escaping of every JSON and
/// JSONL output): `object[key]` is the path as UTF-8 with each invalid byte replaced by U+FFFD,
/// and, only when the path is not valid UTF-8, `object[key + "_bytes_hex"]` holds its exact bytes
/// in hexadecimal.
void putPath(nlohmann::json& object, const std::string& key, const std::filesystem::path& path);

/// "1:02:03" / "4:05" for a number of seconds (ETA on progress lines).
std::string clockText(double seconds);

} // namespace tagscope::cli
