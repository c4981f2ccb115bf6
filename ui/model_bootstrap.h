// SPDX-License-Identifier: GPL-3.0-or-later
// Finding a model and a clip to show when the window opens.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "core/common/error.h"
#include "core/cards/model_card.h"

namespace tagscope::ui {

/// $TAGSCOPE_SHARED, or ../shared next to the source tree for a program run from its build
/// tree; empty for an installed program.
std::filesystem::path sharedDirectory();

/// Cards installed in cards::defaultModelDirectories().
std::vector<cards::ModelCard> installedModels();

/// A card for an upstream sota-music-tagging-models checkpoint (e.g. mtat_fcn.pth) read in
/// place: architecture, dataset and vocabulary follow the file name; `tagsDir` holds the
/// <dataset>_top50.txt vocabularies. Errors name the file.
Result<cards::ModelCard> upstreamCheckpointCard(const std::filesystem::path& checkpoint,
                                             const std::filesystem::path& tagsDir);

/// The model to start with: the first installed card; else a card for
/// <shared>/models/upstream/mtat_fcn.pth when present; else nullopt (spectrogram only).
std::optional<cards::ModelCard> defaultModel(const std::vector<cards::ModelCard>& installed);

/// Registers the bundled Qt resources (icon, demo clip); idempotent.
void initResources();

/// The bundled demo clip as a local file (extracted from the resources when bundled there),
/// or nullopt when the build has none.
std::optional<std::filesystem::path> demoClip();

} // namespace tagscope::ui
