// SPDX-License-Identifier: GPL-3.0-or-later
// The tags inside an audio file, read and written with TagLib as one normalised map
// (upper-case field name -> values) whatever the container: Vorbis comments in Ogg Vorbis,
// Opus and FLAC; ID3v2 in MP3, WAV and AIFF.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace tagscope::tagfile {

/// Field name (upper case, e.g. "ARTIST", "GENRE", "TAGSCOPE") -> its values, in file order.
/// For ID3v2 the names are TagLib's property names (TCON -> GENRE, TMOO -> MOOD,
/// TXXX:NAME -> NAME).
using FieldMap = std::map<std::string, std::vector<std::string>>;

/// Which tag format a file's fields live in.
enum class Container { VorbisComment, Id3v2 };

/// The fields of one file.
struct TagFileContents {
    Container container = Container::VorbisComment;
    std::string format;   ///< "FLAC", "Ogg Vorbis", "Opus", "MP3", "WAV", "AIFF"
    FieldMap fields;
    /// Vorbis comments the file holds that TagLib cannot keep (empty values as "NAME=", entries
    /// without '='): rewriting the tag would drop them, so writers must not (see write_plan.h).
    std::vector<std::string> unkeptFields;
};

/// True when writeFields() can handle the file's extension (flac, ogg, oga, opus, mp3, wav,
/// aif, aiff; case-insensitive).
bool isSupportedTagFile(const std::filesystem::path& path);

/// Reads every text field of a file. The container is chosen by the extension of `path`, or of
/// `formatOf` when given (temporary copies have no audio extension). Errors name the file:
/// unsupported container, unreadable or damaged file.
Result<TagFileContents> readTags(const std::filesystem::path& path, const std::filesystem::path& formatOf = {});

/// Sets the fields named in `changes` (an empty list removes the field) and leaves every other
/// field, picture and the audio untouched, writing the file in place. Callers write a copy
/// (see safe_writer.h), never a user's file directly. ID3v2 tags are saved as ID3v2.4.
Result<void> writeFields(const std::filesystem::path& path, const FieldMap& changes,
                         const std::filesystem::path& formatOf = {});

/// "ARTIST=a; GENRE=rock, pop" style one-line summary of some values, for messages.
std::string joinValues(const std::vector<std::string>& values);

} // namespace tagscope::tagfile
