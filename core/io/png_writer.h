// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/common/error.h"

namespace tagscope::io {

/// An 8-bit RGB colour.
struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
};

/// An 8-bit RGB image, row-major from the top-left pixel.
struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels; ///< width * height * 3 bytes

    RgbImage() = default;
    RgbImage(int w, int h, Rgb fill = {});
    /// Sets a pixel; coordinates outside the image are ignored.
    void set(int x, int y, Rgb c);
    Rgb at(int x, int y) const;
    /// Fills the rectangle [x0, x1) x [y0, y1), clipped to the image.
    void fill(int x0, int y0, int x1, int y1, Rgb c);
};

/// Perceptually ordered "magma"-like colour map: t in [0, 1] (clamped) from black to pale yellow.
Rgb magma(float t);

/// `base` blended towards `over` by `alpha` in [0, 1].
Rgb blend(Rgb base, Rgb over, float alpha);

/// Writes `image` as an 8-bit RGB PNG with libpng, atomically (temporary file + rename).
/// Errors name the file and the reason.
Result<void> writePng(const std::filesystem::path& path, const RgbImage& image);

} // namespace tagscope::io
