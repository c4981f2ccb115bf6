// SPDX-License-Identifier: GPL-3.0-or-later
// safetensors: header length, JSON header, dtypes, shapes and offsets.
#include "core/io/safetensors.h"
#include "fuzz/fuzz_target.h"

TAGSCOPE_FUZZ_TARGET(safetensors) {
    auto file = tagscope::io::parseSafetensors(std::string(bytes), "fuzz.safetensors");
    if (!file) return;
    for (const auto& [key, t] : file->tensors) TAGSCOPE_FUZZ_CHECK(int64_t(t.data.size()) == t.numel());
}
