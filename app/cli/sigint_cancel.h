// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/progress.h"

namespace tagscope::cli {

/// While alive, the first SIGINT (Ctrl+C) cancels `token` (the running analysis stops at its next
/// check and the command exits with 130); a second SIGINT ends the process at once.
/// One instance at a time; created and destroyed on the main thread.
class SigintCancel {
public:
    explicit SigintCancel(CancelToken& token);
    ~SigintCancel();
    SigintCancel(const SigintCancel&) = delete;
    SigintCancel& operator=(const SigintCancel&) = delete;

    /// True once SIGINT has been received.
    bool interrupted() const;
};

} // namespace tagscope::cli
