// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <vector>

namespace tagscope {

/// A dense float32 tensor in host memory, row-major (C order). The neutral exchange type
/// between file formats (safetensors, torch checkpoints) and the model layer. Tensors stored
/// in other dtypes (F64, F16, BF16, I64, I32 ...) are converted to float32 on reading.
struct HostTensor {
    std::vector<int64_t> shape;
    std::vector<float> data;

    int64_t numel() const {
        return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
    }
    std::string shapeString() const {
        std::string s = "[";
        for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
        return s + "]";
    }
};

/// Named tensors in key order, as in a state dict or a safetensors file.
using TensorMap = std::map<std::string, HostTensor>;

} // namespace tagscope
