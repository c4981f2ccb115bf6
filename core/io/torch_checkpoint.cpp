// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/torch_checkpoint.h"

#include <bit>
#include <cstring>
#include <map>

#include "core/io/file_util.h"
#include "core/io/pickle_reader.h"
#include "core/io/torch_checkpoint_objects.h"
#include "core/io/zip_reader.h"

namespace tagscope::io {
namespace {

using detail::CheckpointObjects;
using detail::StorageDtype;
using detail::TensorDecl;

static_assert(std::endian::native == std::endian::little, "checkpoint reading assumes a little-endian host");

// The first pickle of a legacy file: LONG1 0x1950a86a20f9469cfc6c (torch.serialization.MAGIC_NUMBER).
constexpr std::string_view kLegacyMagic{"\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10};
constexpr int64_t kLegacyProtocolVersion = 1001;

// A checkpoint's pickled description plus where each storage's bytes are.
struct LoadedCheckpoint {
    TorchCheckpointFormat format = TorchCheckpointFormat::Zip;
    CheckpointObjects objects;
    std::map<std::string, std::string_view> storageBytes;
};

Error invalid(const std::filesystem::path& file, const std::string& why) {
    return Error::make(Error::Kind::InvalidInput, file, why);
}

Result<LoadedCheckpoint> loadZip(std::string_view bytes, const std::filesystem::path& file,
                                 const TorchCheckpointOptions& options) {
    auto zip = ZipArchive::parse(bytes, file);
    if (!zip) return fail(zip.error());
    // torch.save writes "<archive>/data.pkl", "<archive>/data/<key>", "<archive>/version".
    const ZipEntry* pkl = nullptr;
    for (const auto& e : zip->entries()) {
        const auto slash = e.name.find('/');
        if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
            pkl = &e;
            break;
        }
    }
    if (!pkl) return fail(invalid(file, "zip archive without a data.pkl entry: not a PyTorch checkpoint"));
    const std::string prefix = pkl->name.substr(0, pkl->name.size() - std::string_view("data.pkl").size());
    if (const ZipEntry* order = zip->find(prefix + "byteorder")) {
        auto text = zip->data(*order);
        if (!text) return fail(text.error());
        if (*text != "little") return fail(invalid(file, "big-endian checkpoints are not supported"));
    }
    auto pklBytes = zip->data(*pkl);
    if (!pklBytes) return fail(pklBytes.error());
    size_t offset = 0;
    auto pickle = parsePickle(*pklBytes, offset, file);
    if (!pickle) return fail(pickle.error());
    auto objects = detail::interpretCheckpointPickle(*pickle, false, options, file);
    if (!objects) return fail(objects.error());

    LoadedCheckpoint out;
    out.format = TorchCheckpointFormat::Zip;
    for (const auto& [key, tensor] : objects->tensors) {
        if (out.storageBytes.count(tensor.storageKey)) continue;
        const ZipEntry* entry = zip->find(prefix + "data/" + tensor.storageKey);
        if (!entry) return fail(invalid(file, "storage '" + tensor.storageKey + "' of tensor '" + key + "' is missing from the archive"));
        auto data = zip->data(*entry);
        if (!data) return fail(data.error());
        out.storageBytes.emplace(tensor.storageKey, *data);
    }
    out.objects = std::move(*objects);
    return out;
}

Result<LoadedCheckpoint> loadLegacy(std::string_view bytes, const std::filesystem::path& file,
                                    const TorchCheckpointOptions& options) {
    size_t pos = 0;
    auto magic = parsePickle(bytes, pos, file);
    if (!magic) return fail(magic.error());
    if (magic->root.kind != PickleKind::BigInt || magic->node(magic->root).text != kLegacyMagic)
        return fail(invalid(file, "not a PyTorch checkpoint (wrong magic number)"));
    auto protocol = parsePickle(bytes, pos, file);
    if (!protocol) return fail(protocol.error());
    if (protocol->root.kind != PickleKind::Int || protocol->root.integer != kLegacyProtocolVersion)
        return fail(invalid(file, "unsupported legacy checkpoint protocol version"));
    auto sysInfo = parsePickle(bytes, pos, file);
    if (!sysInfo) return fail(sysInfo.error());
    if (sysInfo->root.kind == PickleKind::Dict)
        for (const auto& [k, v] : sysInfo->node(sysInfo->root).entries)
            if (k.kind == PickleKind::String && sysInfo->node(k).text == "little_endian" && v.kind == PickleKind::Bool &&
                !v.boolean)
                return fail(invalid(file, "big-endian checkpoints are not supported"));
    auto pickle = parsePickle(bytes, pos, file);
    if (!pickle) return fail(pickle.error());
    auto objects = detail::interpretCheckpointPickle(*pickle, true, options, file);
    if (!objects) return fail(objects.error());
    auto keys = parsePickle(bytes, pos, file);
    if (!keys) return fail(keys.error());
    if (keys->root.kind != PickleKind::List) return fail(invalid(file, "the list of storage keys is missing"));

    // Each storage: 8-byte little-endian element count, then the raw elements.
    LoadedCheckpoint out;
    out.format = TorchCheckpointFormat::Legacy;
    for (const auto& k : keys->node(keys->root).items) {
        if (k.kind != PickleKind::String) return fail(invalid(file, "a storage key is not a string"));
        const std::string& key = keys->node(k).text;
        const auto decl = objects->storages.find(key);
        if (decl == objects->storages.end()) return fail(invalid(file, "storage '" + key + "' is not used by the pickle"));
        if (bytes.size() - pos < 8) return fail(invalid(file, "storage '" + key + "' is cut off (the file is truncated)"));
        uint64_t count = 0;
        std::memcpy(&count, bytes.data() + pos, 8);
        pos += 8;
        const uint64_t es = detail::storageElementSize(decl->second.dtype);
        if (count != uint64_t(decl->second.numel) || count > (bytes.size() - pos) / es)
            return fail(invalid(file, "storage '" + key + "' is cut off or has the wrong size (the file is truncated or damaged)"));
        out.storageBytes.emplace(key, bytes.substr(pos, size_t(count * es)));
        pos += size_t(count * es);
    }
    out.objects = std::move(*objects);
    return out;
}

Result<LoadedCheckpoint> loadCheckpoint(std::string_view bytes, const std::filesystem::path& file,
                                        const TorchCheckpointOptions& options) {
    if (bytes.empty()) return fail(invalid(file, "the file is empty, not a PyTorch checkpoint"));
    if (ZipArchive::looksLikeZip(bytes)) return loadZip(bytes, file, options);
    if (bytes.size() >= 2 + kLegacyMagic.size() + 2 && uint8_t(bytes[0]) == 0x80 && uint8_t(bytes[2]) == 0x8a &&
        bytes.substr(4, kLegacyMagic.size()) == kLegacyMagic)
        return loadLegacy(bytes, file, options);
    if (bytes.size() > 262 && bytes.substr(257, 5) == "ustar")
        return fail(invalid(file, "this is a tar-based checkpoint from torch < 0.4, which is not supported"));
    return fail(invalid(file, "not a PyTorch checkpoint (neither a torch.save zip archive nor the legacy format)"));
}

bool checkedMul(int64_t a, int64_t b, int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }
bool checkedAdd(int64_t a, int64_t b, int64_t& out) { return !__builtin_add_overflow(a, b, &out); }

// Checks that `t` lies inside a storage of `storageNumel` elements; returns its element count.
Result<int64_t> checkTensorBounds(const std::string& key, const TensorDecl& t, int64_t storageNumel,
                                  int64_t maxElements, const std::filesystem::path& file) {
    int64_t numel = 1;
    int64_t lastIndex = t.storageOffset;
    for (size_t d = 0; d < t.shape.size(); ++d) {
        int64_t span = 0;
        if (!checkedMul(numel, t.shape[d], numel) || numel > maxElements)
            return fail(invalid(file, "tensor '" + key + "' is implausibly large for the file"));
        if (t.shape[d] > 0 && (!checkedMul(t.shape[d] - 1, t.stride[d], span) || !checkedAdd(lastIndex, span, lastIndex)))
            return fail(invalid(file, "tensor '" + key + "' has strides that overflow"));
    }
    if (numel > 0 && lastIndex >= storageNumel)
        return fail(invalid(file, "tensor '" + key + "' reaches past the end of its storage (damaged file)"));
    return numel;
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0) {
        if (mant == 0) return std::bit_cast<float>(sign);
        exp = 127 - 15 + 1; // subnormal: normalise
        while (!(mant & 0x400u)) { mant <<= 1; --exp; }
        return std::bit_cast<float>(sign | (exp << 23) | ((mant & 0x3ffu) << 13));
    }
    if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
    return std::bit_cast<float>(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

template <class T>
void convertRun(const char* src, int64_t count, int64_t stride, float* out) {
    for (int64_t i = 0; i < count; ++i) {
        T v;
        std::memcpy(&v, src + i * stride * int64_t(sizeof(T)), sizeof(T));
        if constexpr (std::is_same_v<T, uint16_t>) out[i] = halfToFloat(v);
        else out[i] = static_cast<float>(v);
    }
}

// Converts `count` elements spaced `stride` elements apart, starting at `src`.
void convertStrided(StorageDtype dtype, const char* src, int64_t count, int64_t stride, float* out) {
    switch (dtype) {
    case StorageDtype::Float32: convertRun<float>(src, count, stride, out); break;
    case StorageDtype::Float64: convertRun<double>(src, count, stride, out); break;
    case StorageDtype::Float16: convertRun<uint16_t>(src, count, stride, out); break;
    case StorageDtype::BFloat16:
        for (int64_t i = 0; i < count; ++i) {
            uint16_t h;
            std::memcpy(&h, src + i * stride * 2, 2);
            out[i] = std::bit_cast<float>(uint32_t(h) << 16);
        }
        break;
    case StorageDtype::Int64: convertRun<int64_t>(src, count, stride, out); break;
    case StorageDtype::Int32: convertRun<int32_t>(src, count, stride, out); break;
    case StorageDtype::Int16: convertRun<int16_t>(src, count, stride, out); break;
    case StorageDtype::Int8: convertRun<int8_t>(src, count, stride, out); break;
    case StorageDtype::UInt8: convertRun<uint8_t>(src, count, stride, out); break;
    case StorageDtype::Bool:
        for (int64_t i = 0; i < count; ++i) out[i] = src[i * stride] != 0 ? 1.0f : 0.0f;
        break;
    }
}

// Copies a strided view (bounds already checked) into a contiguous row-major tensor.
HostTensor materialize(const TensorDecl& t, StorageDtype dtype, std::string_view storage, int64_t numel) {
    HostTensor out;
    out.shape = t.shape;
    out.data.resize(size_t(numel));
    if (numel == 0) return out;
    const int64_t es = int64_t(detail::storageElementSize(dtype));
    const size_t dims = t.shape.size();
    if (dims == 0) {
        convertStrided(dtype, storage.data() + t.storageOffset * es, 1, 1, out.data.data());
        return out;
    }
    // Walk all indices but the last with an odometer; the last dimension is one strided run.
    const int64_t inner = t.shape[dims - 1];
    std::vector<int64_t> index(dims - 1, 0);
    int64_t base = t.storageOffset;
    for (int64_t written = 0; written < numel; written += inner) {
        convertStrided(dtype, storage.data() + base * es, inner, t.stride[dims - 1], out.data.data() + written);
        for (size_t d = dims - 1; d-- > 0;) {
            base += t.stride[d];
            if (++index[d] < t.shape[d]) break;
            base -= t.stride[d] * t.shape[d];
            index[d] = 0;
        }
    }
    return out;
}

// Parses and bounds-checks a checkpoint in memory; with `tensors`, also converts the data.
Result<CheckpointInfo> parseCheckpoint(std::string_view bytes, const std::filesystem::path& path,
                                       const TorchCheckpointOptions& options, TensorMap* tensors) {
    auto loaded = loadCheckpoint(bytes, path, options);
    if (!loaded) return fail(loaded.error());
    CheckpointInfo info;
    info.format = loaded->format;
    info.topLevelKeys = loaded->objects.topLevelKeys;
    info.stateDictEntry = loaded->objects.stateDictEntry;
    info.entryRead = loaded->objects.entryRead;
    // NOTE: every element of every tensor occupies at least one byte of the file, except for
    // views sharing a storage; the cap stops zero-stride tensors from exhausting memory.
    const int64_t maxElements = int64_t(bytes.size()) + 1024;
    int64_t total = 0;
    for (const auto& [key, t] : loaded->objects.tensors) {
        const auto& decl = loaded->objects.storages.at(t.storageKey); // every tensor's storage is declared
        const auto found = loaded->storageBytes.find(t.storageKey);
        if (found == loaded->storageBytes.end())
            return fail(invalid(path, "the data of tensor '" + key + "' is missing from the file"));
        const std::string_view data = found->second;
        const int64_t storageNumel = int64_t(data.size() / detail::storageElementSize(decl.dtype));
        auto numel = checkTensorBounds(key, t, storageNumel, maxElements, path);
        if (!numel) return fail(numel.error());
        if (!checkedAdd(total, *numel, total) || total > 4 * maxElements)
            return fail(invalid(path, "the tensors are implausibly large for the file"));
        ++info.tensorCount;
        info.parameterCount += *numel;
        if (tensors) tensors->insert_or_assign(key, materialize(t, decl.dtype, data, *numel));
    }
    return info;
}

} // namespace

Result<TensorMap> parseTorchCheckpoint(std::string_view bytes, const std::filesystem::path& name,
                                       const TorchCheckpointOptions& options) {
    TensorMap tensors;
    auto info = parseCheckpoint(bytes, name, options, &tensors);
    if (!info) return fail(info.error());
    return tensors;
}

Result<TensorMap> readTorchCheckpoint(const std::filesystem::path& path, const TorchCheckpointOptions& options) {
    auto bytes = readFileBytes(path);
    if (!bytes) return fail(bytes.error());
    return parseTorchCheckpoint(*bytes, path, options);
}

Result<CheckpointInfo> inspectTorchCheckpoint(const std::filesystem::path& path, const TorchCheckpointOptions& options) {
    auto bytes = readFileBytes(path);
    if (!bytes) return fail(bytes.error());
    return parseCheckpoint(*bytes, path, options, nullptr);
}

TensorMap selectKeyPrefix(const TensorMap& tensors, std::string_view prefix) {
    TensorMap out;
    for (const auto& [key, t] : tensors)
        if (key.size() >= prefix.size() && key.compare(0, prefix.size(), prefix) == 0)
            out.emplace(key.substr(prefix.size()), t);
    return out;
}

const char* torchCheckpointFormatName(TorchCheckpointFormat format) {
    return format == TorchCheckpointFormat::Zip ? "zip" : "legacy";
}

} // namespace tagscope::io
