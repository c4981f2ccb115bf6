// SPDX-License-Identifier: GPL-3.0-or-later
// The catalog's schema as ordered migrations (internal to core/catalog).
#pragma once

#include <string_view>
#include <vector>

namespace tagscope::catalog::detail {

/// Migration i (0-based) takes a catalog from user_version i to i + 1. Never edit a released
/// migration: append a new one and bump kCatalogSchemaVersion.
const std::vector<std::string_view>& migrations();

} // namespace tagscope::catalog::detail
