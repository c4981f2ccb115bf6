// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/sigint_cancel.h"

#include <atomic>
#include <csignal>

namespace tagscope::cli {
namespace {

// NOTE: a signal handler may only touch lock-free atomics; CancelToken is an atomic<bool>.
std::atomic<CancelToken*> g_token{nullptr};
std::atomic<bool> g_interrupted{false};
struct sigaction g_previous {};

void onSigint(int) {
    g_interrupted.store(true);
    if (CancelToken* t = g_token.load()) t->cancel();
}

} // namespace

SigintCancel::SigintCancel(CancelToken& token) {
    static_assert(std::atomic<CancelToken*>::is_always_lock_free);
    g_interrupted.store(false);
    g_token.store(&token);
    struct sigaction action {};
    action.sa_handler = onSigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND; // the second Ctrl+C gets the default action (terminate)
    sigaction(SIGINT, &action, &g_previous);
}

SigintCancel::~SigintCancel() {
    sigaction(SIGINT, &g_previous, nullptr);
    g_token.store(nullptr);
}

bool SigintCancel::interrupted() const { return g_interrupted.load(); }

} // namespace tagscope::cli
