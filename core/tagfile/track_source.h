// SPDX-License-Identifier: GPL-3.0-or-later
// Where the tags to write come from when there is no catalog: the JSON printed by
// `tagscope-cli tag --json` (one document with "tracks"), or JSON lines of the same records.
#pragma once

#include <filesystem>
#include <vector>

#include "core/analysis/track_analysis.h"
#include "core/catalog/catalog.h"
#include "core/common/error.h"
#include "core/tagfile/write_plan.h"

namespace tagscope::tagfile {

/// The tags of one analysis. `modelSha256` may be empty.
TrackTags trackTagsFromAnalysis(const analysis::TrackAnalysis& analysis, const std::string& modelSha256 = {});

/// The tags of a catalogued track's newest analysis. The catalog recorded the file's size and
/// mtime when it was analysed, so a file modified since then is "changed since analysis".
TrackTags trackTagsFromCatalog(const catalog::CatalogTrack& track);

/// Reads every track record of an analysis export. Since the export does not record the files'
/// sizes, each track's `analysedAtNs` is the export's own modification time: an audio file
/// modified after the export was written is "changed since analysis". Errors name the file and
/// the first bad record.
Result<std::vector<TrackTags>> loadTrackTagsJson(const std::filesystem::path& path);

} // namespace tagscope::tagfile
