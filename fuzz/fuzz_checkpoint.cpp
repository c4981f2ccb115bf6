// SPDX-License-Identifier: GPL-3.0-or-later
// PyTorch checkpoints: zip directory, legacy framing, the pickle machine and its interpretation.
#include "core/io/torch_checkpoint.h"
#include "fuzz/fuzz_target.h"

TAGSCOPE_FUZZ_TARGET(checkpoint) {
    using namespace tagscope::io;
    TorchCheckpointOptions options;
    options.preferStateDict = !bytes.empty() && (bytes.back() & 1);
    auto tensors = parseTorchCheckpoint(bytes, "fuzz.pth", options);
    if (!tensors) return;
    for (const auto& [key, t] : *tensors) {
        TAGSCOPE_FUZZ_CHECK(int64_t(t.data.size()) == t.numel());
        TAGSCOPE_FUZZ_CHECK(t.shape.size() <= 64);
    }
}
