// SPDX-License-Identifier: GPL-3.0-or-later
// A dense row-major float matrix: rows are tracks or segments, columns are features.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace tagscope::surrogate {

/// Dense row-major matrix of float32 values (NaN = missing).
struct FeatureMatrix {
    size_t rows = 0;
    size_t cols = 0;
    std::vector<float> values;   ///< values[row * cols + col]

    /// A rows x cols matrix filled with `fill`.
    static FeatureMatrix zeros(size_t rows, size_t cols, float fill = 0.0f) {
        return {rows, cols, std::vector<float>(rows * cols, fill)};
    }
    float at(size_t row, size_t col) const { return values[row * cols + col]; }
    float& at(size_t row, size_t col) { return values[row * cols + col]; }
    std::span<const float> row(size_t r) const { return {values.data() + r * cols, cols}; }
    /// Appends one row (its size must equal cols; an empty matrix takes the row's size).
    void appendRow(std::span<const float> r) {
        if (rows == 0 && cols == 0) cols = r.size();
        values.insert(values.end(), r.begin(), r.end());
        ++rows;
    }
};

} // namespace tagscope::surrogate
