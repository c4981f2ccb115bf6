// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/safetensors.h"

#include <bit>
#include <cstdint>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/io/bounded_json.h"
#include "core/io/file_util.h"

namespace tagscope::io {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

float halfToFloat(uint16_t h) {
    const uint32_t sign = (h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal
            exp = 127 - 15 + 1;
            while (!(mant & 0x400)) { mant <<= 1; --exp; }
            mant &= 0x3ff;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    return std::bit_cast<float>(bits);
}

template <class T>
void convert(const char* src, size_t n, std::vector<float>& out) {
    out.resize(n);
    for (size_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, src + i * sizeof(T), sizeof(T));
        out[i] = static_cast<float>(v);
    }
}

// Returns element size, or 0 for an unknown dtype.
size_t dtypeSize(const std::string& dt) {
    if (dt == "F64" || dt == "I64" || dt == "U64") return 8;
    if (dt == "F32" || dt == "I32" || dt == "U32") return 4;
    if (dt == "F16" || dt == "BF16" || dt == "I16" || dt == "U16") return 2;
    if (dt == "I8" || dt == "U8" || dt == "BOOL") return 1;
    return 0;
}

constexpr size_t kMaxDims = 64;

// Reads a JSON list of non-negative integers (sizes, offsets); false for anything else.
bool unsignedList(const nlohmann::json& v, std::vector<uint64_t>& out) {
    if (!v.is_array()) return false;
    for (const auto& x : v) {
        if (!x.is_number_unsigned() && !(x.is_number_integer() && x.get<int64_t>() >= 0)) return false;
        out.push_back(x.get<uint64_t>());
    }
    return true;
}

void decode(const std::string& dt, const char* src, size_t n, std::vector<float>& out) {
    if (dt == "F32") { out.resize(n); std::memcpy(out.data(), src, n * 4); }
    else if (dt == "F64") convert<double>(src, n, out);
    else if (dt == "I64") convert<int64_t>(src, n, out);
    else if (dt == "U64") convert<uint64_t>(src, n, out);
    else if (dt == "I32") convert<int32_t>(src, n, out);
    else if (dt == "U32") convert<uint32_t>(src, n, out);
    else if (dt == "I16") convert<int16_t>(src, n, out);
    else if (dt == "U16") convert<uint16_t>(src, n, out);
    else if (dt == "I8") convert<int8_t>(src, n, out);
    else if (dt == "U8" || dt == "BOOL") convert<uint8_t>(src, n, out);
    else if (dt == "F16" || dt == "BF16") {
        out.resize(n);
        for (size_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, src + 2 * i, 2);
            out[i] = dt == "F16" ? halfToFloat(h) : std::bit_cast<float>(uint32_t(h) << 16);
        }
    }
}

} // namespace

Result<SafetensorsFile> parseSafetensors(const std::string& bytes, const std::filesystem::path& name) {
    if (bytes.size() < 8) return fail(Error::Kind::InvalidInput, name, "not a safetensors file (shorter than its 8-byte header length)");
    uint64_t headerLen = 0;
    std::memcpy(&headerLen, bytes.data(), 8);
    if (headerLen > bytes.size() - 8 || headerLen > (100u << 20))
        return fail(Error::Kind::InvalidInput, name, "not a safetensors file or truncated (header length " +
                    std::to_string(headerLen) + " exceeds the file size)");
    auto parsed = parseBoundedJson(std::string_view(bytes).substr(8, static_cast<size_t>(headerLen)), name,
                                   "safetensors header");
    if (!parsed) return fail(parsed.error());
    const nlohmann::json& header = *parsed;
    if (!header.is_object()) return fail(Error::Kind::InvalidInput, name, "safetensors header is not a JSON object");
    const size_t dataStart = 8 + headerLen;
    const size_t dataSize = bytes.size() - dataStart;
    SafetensorsFile out;
    for (const auto& [key, value] : header.items()) {
        if (key == "__metadata__") {
            if (value.is_object())
                for (const auto& [mk, mv] : value.items())
                    out.metadata[mk] = mv.is_string() ? mv.get<std::string>() : mv.dump();
            continue;
        }
        const std::string& tensorKey = key; // NOTE: clang 14 cannot capture a structured binding
        const auto bad = [&](const std::string& why) {
            return fail(Error::Kind::InvalidInput, name, "tensor '" + tensorKey + "' " + why);
        };
        if (!value.is_object() || !value.contains("dtype") || !value["dtype"].is_string())
            return bad("has a malformed header entry (no dtype)");
        const std::string dt = value["dtype"].get<std::string>();
        const size_t es = dtypeSize(dt);
        if (es == 0) return bad("has unsupported dtype " + dt);
        std::vector<uint64_t> offsets, dims;
        if (!value.contains("data_offsets") || !unsignedList(value["data_offsets"], offsets) || offsets.size() != 2)
            return bad("has malformed data_offsets (two byte offsets expected)");
        if (!value.contains("shape") || !unsignedList(value["shape"], dims) || dims.size() > kMaxDims)
            return bad("has a malformed shape (a list of at most 64 non-negative sizes expected)");
        if (offsets[0] > offsets[1] || offsets[1] > dataSize) return bad("lies outside the file (truncated?)");
        // NOTE: the element count and byte size are computed with overflow checks: a shape such as
        // [2^32, 2^32, 16] must not wrap around to a size that happens to match the offsets.
        uint64_t n = 1;
        for (uint64_t d : dims)
            if (__builtin_mul_overflow(n, d, &n) || n > uint64_t(INT64_MAX) || d > uint64_t(INT64_MAX))
                return bad("has a shape too large to exist");
        uint64_t byteSize = 0;
        if (__builtin_mul_overflow(n, uint64_t(es), &byteSize) || byteSize != offsets[1] - offsets[0])
            return bad("byte size does not match its shape");
        HostTensor t;
        t.shape.assign(dims.begin(), dims.end());
        decode(dt, bytes.data() + dataStart + offsets[0], static_cast<size_t>(n), t.data);
        out.tensors.emplace(key, std::move(t));
    }
    return out;
}

Result<SafetensorsFile> readSafetensors(const std::filesystem::path& path) {
    auto bytes = readFileBytes(path);
    if (!bytes) return fail(bytes.error());
    return parseSafetensors(*bytes, path);
}

Result<void> writeSafetensors(const std::filesystem::path& path, const TensorMap& tensors,
                              const std::map<std::string, std::string>& metadata) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const auto& [key, t] : tensors) {
        if (static_cast<int64_t>(t.data.size()) != t.numel())
            return fail(Error::Kind::Internal, path, "tensor '" + key + "' data size does not match its shape");
        const uint64_t bytes = t.data.size() * sizeof(float);
        header[key] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string h = header.dump();
    while ((8 + h.size()) % 8 != 0) h += ' '; // keep tensor data 8-byte aligned
    std::string out;
    out.reserve(8 + h.size() + offset);
    const uint64_t len = h.size();
    out.append(reinterpret_cast<const char*>(&len), 8);
    out += h;
    for (const auto& [key, t] : tensors)
        out.append(reinterpret_cast<const char*>(t.data.data()), t.data.size() * sizeof(float));
    return writeFileAtomically(path, out);
}

} // namespace tagscope::io
