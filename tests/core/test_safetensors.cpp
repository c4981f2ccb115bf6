// SPDX-License-Identifier: GPL-3.0-or-later
#include <fstream>

#include <gtest/gtest.h>

#include "core/io/file_util.h"
#include "core/io/safetensors.h"
#include "tests/support/test_paths.h"

using namespace tagscope;

TEST(Safetensors, ReadsGoldenMelFile) {
    TAGSCOPE_REQUIRE_SHARED("golden/mel.safetensors");
    auto f = io::readSafetensors(test::sharedPath("golden/mel.safetensors"));
    ASSERT_TRUE(f) << f.error().message;
    const auto& fb = f->tensors.at("sota96_fb");
    EXPECT_EQ(fb.shape, (std::vector<int64_t>{257, 96}));
    EXPECT_EQ(fb.data.size(), 257u * 96u);
    EXPECT_EQ(f->tensors.at("mtt128_db").shape, (std::vector<int64_t>{128, 431}));
}

TEST(Safetensors, ReadsMetadata) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_small_expected.safetensors");
    auto f = io::readSafetensors(test::sharedPath("golden/mtt_small_expected.safetensors"));
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->metadata.at("conv_ndim"), "16");
}

TEST(Safetensors, RoundTripsAndWritesAtomically) {
    const auto dir = test::scratchDir("safetensors_roundtrip");
    TensorMap m;
    m["a.weight"] = HostTensor{{2, 3}, {1, 2, 3, 4, 5, 6}};
    m["b"] = HostTensor{{1}, {-0.5f}};
    ASSERT_TRUE(io::writeSafetensors(dir / "x.safetensors", m, {{"k", "v"}}));
    auto r = io::readSafetensors(dir / "x.safetensors");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->tensors.at("a.weight").data, m["a.weight"].data);
    EXPECT_EQ(r->tensors.at("b").shape, std::vector<int64_t>{1});
    EXPECT_EQ(r->metadata.at("k"), "v");
    for (const auto& e : std::filesystem::directory_iterator(dir))
        EXPECT_EQ(e.path().filename(), "x.safetensors") << "temporary file left behind";
}

TEST(Safetensors, TruncatedFileIsAnErrorNamingTheFile) {
    const auto dir = test::scratchDir("safetensors_truncated");
    TensorMap m;
    m["w"] = HostTensor{{100}, std::vector<float>(100, 1.0f)};
    ASSERT_TRUE(io::writeSafetensors(dir / "w.safetensors", m));
    auto bytes = io::readFileBytes(dir / "w.safetensors");
    ASSERT_TRUE(bytes);
    std::ofstream(dir / "cut.safetensors", std::ios::binary) << bytes->substr(0, bytes->size() - 17);
    auto r = io::readSafetensors(dir / "cut.safetensors");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cut.safetensors"), std::string::npos);
    EXPECT_NE(r.error().message.find("outside the file"), std::string::npos) << r.error().message;
}

TEST(Safetensors, GarbageAndMissingFilesAreErrors) {
    const auto dir = test::scratchDir("safetensors_garbage");
    std::ofstream(dir / "g.safetensors", std::ios::binary) << "this is not a safetensors file at all";
    auto g = io::readSafetensors(dir / "g.safetensors");
    ASSERT_FALSE(g);
    EXPECT_NE(g.error().message.find("g.safetensors"), std::string::npos);
    auto missing = io::readSafetensors(dir / "nope.safetensors");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, Error::Kind::NotFound);
    auto directory = io::readSafetensors(dir);
    ASSERT_FALSE(directory);
}
