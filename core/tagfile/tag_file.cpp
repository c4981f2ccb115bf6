// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tagfile/tag_file.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <span>

#include <taglib/aifffile.h>
#include <taglib/flacfile.h>
#include <taglib/id3v2tag.h>
#include <taglib/mpegfile.h>
#include <taglib/opusfile.h>
#include <taglib/tpropertymap.h>
#include <taglib/vorbisfile.h>
#include <taglib/wavfile.h>
#include <taglib/xiphcomment.h>

#include "core/tagfile/vorbis_comment_scan.h"

namespace tagscope::tagfile {
namespace {

namespace fs = std::filesystem;

enum class Kind { Unsupported, Flac, Vorbis, Opus, Mp3, Wav, Aiff };

Kind kindOf(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == ".flac") return Kind::Flac;
    if (ext == ".ogg" || ext == ".oga") return Kind::Vorbis;
    if (ext == ".opus") return Kind::Opus;
    if (ext == ".mp3") return Kind::Mp3;
    if (ext == ".wav") return Kind::Wav;
    if (ext == ".aif" || ext == ".aiff") return Kind::Aiff;
    return Kind::Unsupported;
}

const char* formatName(Kind kind) {
    switch (kind) {
    case Kind::Flac: return "FLAC";
    case Kind::Vorbis: return "Ogg Vorbis";
    case Kind::Opus: return "Opus";
    case Kind::Mp3: return "MP3";
    case Kind::Wav: return "WAV";
    case Kind::Aiff: return "AIFF";
    case Kind::Unsupported: break;
    }
    return "unsupported";
}

std::string utf8(const TagLib::String& s) { return s.to8Bit(true); }

FieldMap toFieldMap(const TagLib::PropertyMap& map) {
    FieldMap out;
    for (const auto& [key, values] : map) {
        auto& list = out[utf8(key.upper())];
        for (const auto& v : values) list.push_back(utf8(v));
    }
    return out;
}

/// One opened file and the tag object its fields live in (nullptr when it has none yet).
struct OpenedFile {
    Kind kind = Kind::Unsupported;
    std::unique_ptr<TagLib::File> file;
    // NOTE: TagLib 1.x's Tag::properties()/setProperties() are not virtual: call them on the real type.
    TagLib::Ogg::XiphComment* xiph = nullptr;
    TagLib::ID3v2::Tag* id3 = nullptr;
    bool hasTag() const { return xiph || id3; }
    TagLib::PropertyMap properties() const { return xiph ? xiph->properties() : id3->properties(); }
    TagLib::PropertyMap setProperties(const TagLib::PropertyMap& m) { return xiph ? xiph->setProperties(m) : id3->setProperties(m); }
    bool hadId3v1 = false;               ///< MP3: keep an existing ID3v1 tag when saving
    bool hadApe = false;
};

Result<OpenedFile> openFile(const fs::path& path, bool forWriting, const fs::path& formatOf) {
    OpenedFile o;
    o.kind = kindOf(formatOf.empty() ? path : formatOf);
    if (o.kind == Kind::Unsupported)
        return fail(Error::Kind::InvalidInput, path,
                    "tags can only be written into FLAC, Ogg Vorbis, Opus, MP3, WAV and AIFF files");
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return fail(Error::Kind::NotFound, path, "file not found");
    const char* name = path.c_str();
    try {
        switch (o.kind) {
        case Kind::Flac: {
            auto f = std::make_unique<TagLib::FLAC::File>(name, false);
            if (f->isValid()) o.xiph = f->xiphComment(forWriting);
            o.file = std::move(f);
            break;
        }
        case Kind::Vorbis: {
            auto f = std::make_unique<TagLib::Ogg::Vorbis::File>(name, false);
            if (f->isValid()) o.xiph = f->tag();
            o.file = std::move(f);
            break;
        }
        case Kind::Opus: {
            auto f = std::make_unique<TagLib::Ogg::Opus::File>(name, false);
            if (f->isValid()) o.xiph = f->tag();
            o.file = std::move(f);
            break;
        }
        case Kind::Mp3: {
            auto f = std::make_unique<TagLib::MPEG::File>(name, false);
            if (f->isValid()) {
                o.hadId3v1 = f->hasID3v1Tag();
                o.hadApe = f->hasAPETag();
                o.id3 = f->ID3v2Tag(forWriting);
            }
            o.file = std::move(f);
            break;
        }
        case Kind::Wav: {
            auto f = std::make_unique<TagLib::RIFF::WAV::File>(name, false);
            if (f->isValid()) o.id3 = f->ID3v2Tag();
            o.file = std::move(f);
            break;
        }
        case Kind::Aiff: {
            auto f = std::make_unique<TagLib::RIFF::AIFF::File>(name, false);
            if (f->isValid()) o.id3 = f->tag();
            o.file = std::move(f);
            break;
        }
        case Kind::Unsupported: break;
        }
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, path, std::string("TagLib failed to read the file: ") + e.what());
    }
    if (!o.file || !o.file->isOpen()) return fail(Error::Kind::Io, path, "cannot open the file");
    if (!o.file->isValid())
        return fail(Error::Kind::InvalidInput, path,
                    std::string("not a valid ") + formatName(o.kind) + " file (damaged, or a different format)");
    return o;
}

bool save(OpenedFile& o) {
    switch (o.kind) {
    case Kind::Mp3: {
        auto* f = static_cast<TagLib::MPEG::File*>(o.file.get());
        int tags = TagLib::MPEG::File::ID3v2;
        if (o.hadId3v1) tags |= TagLib::MPEG::File::ID3v1;
        if (o.hadApe) tags |= TagLib::MPEG::File::APE;
        return f->save(tags, TagLib::File::StripNone, TagLib::ID3v2::v4, TagLib::File::DoNotDuplicate);
    }
    case Kind::Wav: {
        auto* f = static_cast<TagLib::RIFF::WAV::File*>(o.file.get());
        return f->save(TagLib::RIFF::WAV::File::AllTags, TagLib::File::StripNone, TagLib::ID3v2::v4);
    }
    case Kind::Aiff: return static_cast<TagLib::RIFF::AIFF::File*>(o.file.get())->save(TagLib::ID3v2::v4);
    default: return o.file->save();
    }
}

} // namespace

bool isSupportedTagFile(const fs::path& path) { return kindOf(path) != Kind::Unsupported; }

Result<TagFileContents> readTags(const fs::path& path, const fs::path& formatOf) {
    auto opened = openFile(path, false, formatOf);
    if (!opened) return fail(opened.error());
    TagFileContents out;
    const Kind kind = opened->kind;
    out.format = formatName(kind);
    out.container = (kind == Kind::Flac || kind == Kind::Vorbis || kind == Kind::Opus) ? Container::VorbisComment
                                                                                        : Container::Id3v2;
    try {
        if (opened->hasTag()) out.fields = toFieldMap(opened->properties());
        // NOTE: the raw comment block, because TagLib's parsed one no longer holds what it dropped.
        if (kind == Kind::Vorbis || kind == Kind::Opus) {
            const auto packet = static_cast<TagLib::Ogg::File*>(opened->file.get())->packet(1);
            const size_t header = kind == Kind::Vorbis ? 7 : 8; // "\x03vorbis" / "OpusTags"
            if (packet.size() > header)
                out.unkeptFields = droppedVorbisComments(std::span<const uint8_t>(
                    reinterpret_cast<const uint8_t*>(packet.data()) + header, packet.size() - header));
        } else if (kind == Kind::Flac) {
            auto block = flacVorbisCommentBlock(path);
            if (block && *block) out.unkeptFields = droppedVorbisComments(**block);
        }
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, path, std::string("TagLib failed to read the tags: ") + e.what());
    }
    return out;
}

Result<void> writeFields(const fs::path& path, const FieldMap& changes, const fs::path& formatOf) {
    auto opened = openFile(path, true, formatOf);
    if (!opened) return fail(opened.error());
    if (opened->file->readOnly()) return fail(Error::Kind::Io, path, "file is read-only");
    if (!opened->hasTag()) return fail(Error::Kind::Internal, path, "TagLib gave no tag to write into");
    try {
        TagLib::PropertyMap map = opened->properties();
        for (const auto& [field, values] : changes) {
            const TagLib::String key(field, TagLib::String::UTF8);
            map.erase(key);
            if (values.empty()) continue;
            TagLib::StringList list;
            for (const auto& v : values) list.append(TagLib::String(v, TagLib::String::UTF8));
            map.insert(key, list);
        }
        const TagLib::PropertyMap rejected = opened->setProperties(map);
        for (const auto& [field, values] : changes)
            if (rejected.contains(TagLib::String(field, TagLib::String::UTF8)))
                return fail(Error::Kind::InvalidInput, path, "the " + std::string(formatName(opened->kind)) +
                            " tag cannot hold the field " + field);
        if (!save(*opened)) return fail(Error::Kind::Io, path, "TagLib could not save the tags");
    } catch (const std::exception& e) {
        return fail(Error::Kind::Internal, path, std::string("TagLib failed to write the tags: ") + e.what());
    }
    return {};
}

std::string joinValues(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
    return out;
}

} // namespace tagscope::tagfile
