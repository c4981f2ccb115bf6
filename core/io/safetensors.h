// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "core/common/error.h"
#include "core/common/tensor.h"

namespace tagscope::io {

/// Contents of a safetensors file: tensors (converted to float32) and the free-form
/// "__metadata__" string map.
struct SafetensorsFile {
    TensorMap tensors;
    std::map<std::string, std::string> metadata;
};

/// Reads a safetensors file (8-byte little-endian header length, JSON header, raw data).
/// Supports F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL (all converted to float32).
/// Errors name the file and the reason (truncated, bad header, offsets out of range ...).
Result<SafetensorsFile> readSafetensors(const std::filesystem::path& path);

/// Parses safetensors bytes already in memory; `name` is used in error messages.
Result<SafetensorsFile> parseSafetensors(const std::string& bytes, const std::filesystem::path& name);

/// Writes tensors as F32 safetensors, atomically (temporary file + rename), so an
/// interrupted write never leaves a damaged file at `path`.
Result<void> writeSafetensors(const std::filesystem::path& path, const TensorMap& tensors,
                              const std::map<std::string, std::string>& metadata = {});

} // namespace tagscope::io
