// SPDX-License-Identifier: GPL-3.0-or-later
// Finds the Vorbis comments TagLib would silently drop when it rewrites a tag: entries with an
// empty value ("COMMENT=") or without '=' (TagLib 1.x keeps neither when it parses a comment
// block, so saving the file loses them). Reads the raw comment block, bounds-checked throughout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace tagscope::tagfile {

/// Entries of a Vorbis comment block (vendor string, count, length-prefixed entries, all
/// little-endian, no framing byte) that TagLib drops: the field name of each empty value
/// ("COMMENT="), or the entry itself for one without '='. A block that ends early yields what it
/// holds up to there (a damaged tail is TagLib's to reject).
std::vector<std::string> droppedVorbisComments(std::span<const uint8_t> block);

/// The raw VORBIS_COMMENT metadata block of a FLAC file (after an ID3v2 tag, if any); nullopt
/// when the file has none. Errors name the file (unreadable, not FLAC, truncated block).
Result<std::optional<std::vector<uint8_t>>> flacVorbisCommentBlock(const std::filesystem::path& path);

} // namespace tagscope::tagfile
