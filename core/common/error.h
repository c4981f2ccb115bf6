// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <string>

#include <tl/expected.hpp>

namespace tagscope {

/// What went wrong, in words a user understands. `message` always names the file (when there
/// is one) and the reason, e.g. "song.flac: file is truncated (read 1200 of 44100 frames)".
struct Error {
    enum class Kind {
        NotFound,       ///< missing file or directory
        InvalidInput,   ///< the input exists but cannot be used (corrupt, empty, unsupported)
        Mismatch,       ///< weights/model/config do not fit each other
        Cancelled,      ///< the caller cancelled the operation
        Io,             ///< reading or writing failed
        Internal,       ///< a library failed unexpectedly (caught at the boundary)
    };
    Kind kind = Kind::Internal;
    std::string message;

    /// "<file>: <reason>" (just reason when file is empty).
    static Error make(Kind kind, const std::filesystem::path& file, const std::string& reason);
    static Error cancelled();
};

/// Result of an operation that can fail: a value or an Error. Nothing in core throws across
/// its public API.
template <class T>
using Result = tl::expected<T, Error>;

/// Shorthand for returning an error: `return fail(Error::Kind::Io, path, "cannot open");`
inline tl::unexpected<Error> fail(Error::Kind kind, const std::filesystem::path& file,
                                  const std::string& reason) {
    return tl::unexpected(Error::make(kind, file, reason));
}
inline tl::unexpected<Error> fail(Error error) { return tl::unexpected(std::move(error)); }

} // namespace tagscope
