// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/file_util.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <new>
#include <random>
#include <system_error>

#include <openssl/evp.h>

namespace tagscope::io {
namespace fs = std::filesystem;

Result<std::string> readFileBytes(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return fail(Error::Kind::NotFound, path, "file not found");
    if (fs::is_directory(path, ec)) return fail(Error::Kind::InvalidInput, path, "is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Error::Kind::Io, path, "cannot open for reading");
    std::string bytes;
    const auto size = fs::file_size(path, ec);
    // NOTE: the size only guides the reservation; reading stops where the file really ends.
    try {
        if (!ec && size <= (uintmax_t(1) << 32)) bytes.reserve(size);
        std::array<char, 1 << 16> block{};
        while (in.read(block.data(), block.size()) || in.gcount() > 0) {
            bytes.append(block.data(), size_t(in.gcount()));
        }
    } catch (const std::bad_alloc&) {
        return fail(Error::Kind::Io, path, "not enough memory to read the file");
    }
    if (in.bad()) return fail(Error::Kind::Io, path, "read error");
    return bytes;
}

Result<void> writeFileAtomically(const fs::path& path, const std::string& bytes) {
    std::error_code ec;
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    fs::create_directories(dir, ec);
    std::random_device rd;
    const fs::path tmp = dir / (path.filename().string() + ".tmp" + std::to_string(rd()));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return fail(Error::Kind::Io, path, "cannot create a temporary file in " + dir.string());
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            fs::remove(tmp, ec);
            return fail(Error::Kind::Io, path, "write failed (disk full?)");
        }
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return fail(Error::Kind::Io, path, "cannot replace the file: " + ec.message());
    }
    return {};
}

Result<std::string> sha256File(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Error::Kind::NotFound, path, "cannot open for hashing");
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    std::array<char, 1 << 16> buf{};
    while (in) {
        in.read(buf.data(), buf.size());
        if (in.gcount() > 0) EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(in.gcount()));
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md.data(), &len);
    EVP_MD_CTX_free(ctx);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

} // namespace tagscope::io
