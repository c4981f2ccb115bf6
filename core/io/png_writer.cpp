// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/png_writer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <csetjmp>
#include <string>

#include <png.h>

#include "core/io/file_util.h"

namespace tagscope::io {
namespace {

struct PngSink {
    std::string bytes;
    std::string error;
};

void writeBytes(png_structp png, png_bytep data, png_size_t length) {
    auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
    sink->bytes.append(reinterpret_cast<const char*>(data), length);
}

void flushNothing(png_structp) {}

void onError(png_structp png, png_const_charp message) {
    auto* sink = static_cast<PngSink*>(png_get_error_ptr(png));
    sink->error = message ? message : "unknown libpng error";
    png_longjmp(png, 1);
}

void onWarning(png_structp, png_const_charp) {}

} // namespace

RgbImage::RgbImage(int w, int h, Rgb c) : width(std::max(w, 0)), height(std::max(h, 0)) {
    pixels.resize(size_t(width) * size_t(height) * 3);
    fill(0, 0, width, height, c);
}

void RgbImage::set(int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const size_t i = (size_t(y) * size_t(width) + size_t(x)) * 3;
    pixels[i] = c.r;
    pixels[i + 1] = c.g;
    pixels[i + 2] = c.b;
}

Rgb RgbImage::at(int x, int y) const {
    if (x < 0 || y < 0 || x >= width || y >= height) return {};
    const size_t i = (size_t(y) * size_t(width) + size_t(x)) * 3;
    return {pixels[i], pixels[i + 1], pixels[i + 2]};
}

void RgbImage::fill(int x0, int y0, int x1, int y1, Rgb c) {
    for (int y = std::max(y0, 0); y < std::min(y1, height); ++y)
        for (int x = std::max(x0, 0); x < std::min(x1, width); ++x) set(x, y, c);
}

Rgb magma(float t) {
    // NOTE: eight anchor colours of matplotlib's magma, linearly interpolated; close enough
    // for a preview image and free of any table to maintain.
    static constexpr std::array<std::array<float, 3>, 8> kAnchors{{{0, 0, 4},
                                                                   {28, 16, 68},
                                                                   {79, 18, 123},
                                                                   {129, 37, 129},
                                                                   {181, 54, 122},
                                                                   {229, 80, 100},
                                                                   {251, 135, 97},
                                                                   {252, 253, 191}}};
    if (!std::isfinite(t)) t = 0.0f;
    t = std::clamp(t, 0.0f, 1.0f) * float(kAnchors.size() - 1);
    const size_t i = std::min(size_t(t), kAnchors.size() - 2);
    const float f = t - float(i);
    auto mix = [&](int c) { return uint8_t(std::lround(kAnchors[i][c] * (1 - f) + kAnchors[i + 1][c] * f)); };
    return {mix(0), mix(1), mix(2)};
}

Rgb blend(Rgb base, Rgb over, float alpha) {
    if (!std::isfinite(alpha)) alpha = 0.0f;
    alpha = std::clamp(alpha, 0.0f, 1.0f);
    auto mix = [&](uint8_t a, uint8_t b) { return uint8_t(std::lround(a * (1 - alpha) + b * alpha)); };
    return {mix(base.r, over.r), mix(base.g, over.g), mix(base.b, over.b)};
}

Result<void> writePng(const std::filesystem::path& path, const RgbImage& image) {
    if (image.width <= 0 || image.height <= 0 || image.pixels.size() != size_t(image.width) * size_t(image.height) * 3)
        return fail(Error::Kind::InvalidInput, path, "cannot write an empty or inconsistent image");
    PngSink sink;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, onError, onWarning);
    if (!png) return fail(Error::Kind::Internal, path, "libpng could not start");
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        return fail(Error::Kind::Internal, path, "libpng could not start");
    }
    // NOTE: libpng reports errors by longjmp; nothing with a destructor is created between
    // setjmp and the calls that may jump.
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return fail(Error::Kind::Internal, path, "cannot encode PNG: " + sink.error);
    }
    png_set_write_fn(png, &sink, writeBytes, flushNothing);
    png_set_IHDR(png, info, png_uint_32(image.width), png_uint_32(image.height), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < image.height; ++y)
        png_write_row(png, const_cast<png_bytep>(image.pixels.data() + size_t(y) * size_t(image.width) * 3));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return writeFileAtomically(path, sink.bytes);
}

} // namespace tagscope::io
