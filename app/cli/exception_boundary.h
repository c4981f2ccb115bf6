// SPDX-License-Identifier: GPL-3.0-or-later
// The exception boundary of tagscope-cli: whatever a command throws (a bug, a library's
// exception, running out of memory) becomes one line on stderr and exit code kExitInternal.
#pragma once

#include <functional>
#include <string_view>

namespace tagscope::cli {

/// Exit code of tagscope-cli after an internal error (documented with the others in cli_main.cpp).
inline constexpr int kExitInternal = 4;

/// Runs `command` (the body of subcommand `name`, e.g. "tag"), returning its exit code, or
/// kExitInternal after printing "tagscope-cli: internal error while <doing>: <reason>" when it
/// throws. NOTE: for tests, TAGSCOPE_CLI_FAULT=<name> makes it throw a std::runtime_error inside
/// the command, and TAGSCOPE_CLI_FAULT=<name>:unknown a value that is not a std::exception.
int runGuarded(std::string_view name, std::string_view doing, const std::function<int()>& command);

/// Call inside a catch (...) block: prints the one-line internal error for the exception being
/// handled and returns kExitInternal.
int reportInternalError(std::string_view doing);

} // namespace tagscope::cli
