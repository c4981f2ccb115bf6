// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/error.h"

namespace tagscope {

Error Error::make(Kind kind, const std::filesystem::path& file, const std::string& reason) {
    Error e;
    e.kind = kind;
    e.message = file.empty() ? reason : file.string() + ": " + reason;
    return e;
}

Error Error::cancelled() { return Error{Kind::Cancelled, "cancelled"}; }

} // namespace tagscope
