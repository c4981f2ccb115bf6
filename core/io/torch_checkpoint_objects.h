// SPDX-License-Identifier: GPL-3.0-or-later
// Interpretation of the pickled object graph of a torch.save file: which storages exist and
// which tensor (storage, offset, shape, stride) sits under which key. Used by torch_checkpoint.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/common/error.h"
#include "core/io/pickle_reader.h"
#include "core/io/torch_checkpoint.h"

namespace tagscope::io::detail {

/// Element type of a torch storage.
enum class StorageDtype { Float32, Float64, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool };

/// Bytes per element of `dtype`.
size_t storageElementSize(StorageDtype dtype);

/// A storage as declared by a persistent id: its element type and element count.
struct StorageDecl {
    StorageDtype dtype = StorageDtype::Float32;
    int64_t numel = 0;
};

/// A tensor as described by torch._utils._rebuild_tensor_v2: a strided view into a storage.
struct TensorDecl {
    std::string storageKey;
    int64_t storageOffset = 0; ///< in elements (legacy storage-view offsets already added)
    std::vector<int64_t> shape;
    std::vector<int64_t> stride;
};

/// Everything the pickle says about the checkpoint's tensors.
struct CheckpointObjects {
    std::map<std::string, StorageDecl> storages;             ///< every storage referenced anywhere
    std::vector<std::pair<std::string, TensorDecl>> tensors; ///< flattened keys of the part read
    std::vector<std::string> topLevelKeys;
    std::string stateDictEntry; ///< "state_dict" / "model" when present as a nested dict
    std::string entryRead;
};

/// Interprets the main pickle of a checkpoint. `legacy` selects the persistent-id layout
/// (legacy ids carry a sixth "view" element). Errors name `file` and what was unexpected.
Result<CheckpointObjects> interpretCheckpointPickle(const PickleData& pickle, bool legacy,
                                                    const TorchCheckpointOptions& options,
                                                    const std::filesystem::path& file);

} // namespace tagscope::io::detail
