// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/error.h"
#include "core/common/tensor.h"

namespace tagscope::io {

/// How a file was written by torch.save.
enum class TorchCheckpointFormat {
    Zip,    ///< torch >= 1.6: a zip archive with data.pkl and data/<key> storage entries
    Legacy, ///< torch < 1.6: magic number, protocol, sys_info, pickle, storage keys, raw storages
};

/// Which part of a checkpoint to read.
struct TorchCheckpointOptions {
    /// When non-empty, only this entry of the top-level dictionary is read (e.g. "state_dict"),
    /// and keys are relative to it. An absent entry is an error listing the entries present.
    std::string entry;
    /// When `entry` is empty and the top-level dictionary holds a "state_dict" or else a
    /// "model" dictionary, read only that one (training checkpoints keep optimizer state etc.
    /// beside the weights).
    bool preferStateDict = false;
};

/// A summary of a checkpoint, read without converting any tensor data.
struct CheckpointInfo {
    TorchCheckpointFormat format = TorchCheckpointFormat::Zip;
    size_t tensorCount = 0;
    int64_t parameterCount = 0;            ///< elements over all tensors (parameters and buffers)
    std::vector<std::string> topLevelKeys; ///< keys of the top-level dictionary, in file order
    std::string stateDictEntry;            ///< "state_dict" or "model" when such a nested dict exists, else ""
    std::string entryRead;                 ///< the entry the tensors were counted in ("" = whole file)
};

/// Reads a state dict saved by torch.save, in the zip or legacy format, without Python or torch.
/// Nested dictionaries (and lists) are flattened with '.'; keys are kept as in the file (e.g.
/// "network.frontend.fc.weight"). Storages of type Float, Double, Half, BFloat16, Long, Int,
/// Short, Char, Byte and Bool are converted to float32; storage offsets and arbitrary
/// (non-negative) strides are honoured, so every tensor comes out contiguous and row-major.
/// Non-tensor values (ints, strings, None, devices) are skipped; an object of any other Python
/// class in the part read is an error naming it, as are truncated or damaged files.
Result<TensorMap> readTorchCheckpoint(const std::filesystem::path& path, const TorchCheckpointOptions& options = {});

/// As readTorchCheckpoint, for checkpoint bytes already in memory; `name` is used in messages.
Result<TensorMap> parseTorchCheckpoint(std::string_view bytes, const std::filesystem::path& name,
                                       const TorchCheckpointOptions& options = {});

/// Reads only the structure of a checkpoint (format, tensor count, total elements, top-level
/// keys) and checks that every tensor lies inside its stored data. Errors as readTorchCheckpoint.
Result<CheckpointInfo> inspectTorchCheckpoint(const std::filesystem::path& path,
                                              const TorchCheckpointOptions& options = {});

/// The tensors whose key starts with `prefix`, with the prefix removed (e.g. "network.").
TensorMap selectKeyPrefix(const TensorMap& tensors, std::string_view prefix);

/// "zip" or "legacy".
const char* torchCheckpointFormatName(TorchCheckpointFormat format);

} // namespace tagscope::io
