// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/exception_boundary.h"

#include <cstdlib>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "app/cli/cli_common.h" // printError

namespace tagscope::cli {
namespace {

void injectFaultFor(std::string_view name) {
    const char* fault = std::getenv("TAGSCOPE_CLI_FAULT");
    if (!fault) return;
    const std::string_view wanted(fault);
    if (wanted == name) throw std::runtime_error("fault injected by TAGSCOPE_CLI_FAULT");
    if (wanted == std::string(name) + ":unknown") throw 42;
}

} // namespace

int reportInternalError(std::string_view doing) {
    std::string reason;
    try {
        throw;
    } catch (const std::bad_alloc&) {
        reason = "out of memory";
    } catch (const std::exception& e) {
        reason = e.what();
    } catch (...) {
        reason = "unknown exception";
    }
    printError("internal error while " + std::string(doing) + ": " + reason);
    return kExitInternal;
}

int runGuarded(std::string_view name, std::string_view doing, const std::function<int()>& command) {
    try {
        injectFaultFor(name);
        return command();
    } catch (...) {
        return reportInternalError(doing);
    }
}

} // namespace tagscope::cli
