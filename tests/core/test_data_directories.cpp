// SPDX-License-Identifier: GPL-3.0-or-later
// Where a program finds its bundled data: the installed layout, a build tree's marker, and
// never the build tree for an installed program.
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "core/io/data_directories.h"
#include "core/cards/model_card.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;

void writeMarker(const fs::path& buildDir, const std::string& content) {
    fs::create_directories(buildDir);
    std::ofstream(buildDir / io::kBuildTreeMarker) << content << "\n";
}

/// Clears TAGSCOPE_DATA_DIR for one test and restores it afterwards.
class NoDataDirOverride : public ::testing::Test {
protected:
    void SetUp() override {
        if (const char* e = std::getenv("TAGSCOPE_DATA_DIR")) m_saved = e, m_had = true;
        unsetenv("TAGSCOPE_DATA_DIR");
    }
    void TearDown() override {
        if (m_had) setenv("TAGSCOPE_DATA_DIR", m_saved.c_str(), 1);
        else unsetenv("TAGSCOPE_DATA_DIR");
    }

private:
    std::string m_saved;
    bool m_had = false;
};

using DataDirectories = NoDataDirOverride;

TEST_F(DataDirectories, BuildTreeMarkerNamesTheSourceTreeFromNestedBinaryFolders) {
    const auto root = test::scratchDir("data_dirs_build_tree");
    const auto source = root / "src";
    fs::create_directories(source / "models");
    writeMarker(root / "build", source.string());
    fs::create_directories(root / "build" / "tests" / "core");
    EXPECT_EQ(io::buildTreeSourceDirectory(root / "build" / "app"), source);
    EXPECT_EQ(io::buildTreeSourceDirectory(root / "build" / "tests" / "core"), source);
    EXPECT_EQ(io::bundledDataDirectory(root / "build" / "app"), source);
    // Three levels up is too far: the marker belongs to another tree.
    EXPECT_FALSE(io::buildTreeSourceDirectory(root / "build" / "a" / "b" / "c").has_value());
}

TEST_F(DataDirectories, MarkerNamingAMissingFolderOrEmptyIsIgnored) {
    const auto root = test::scratchDir("data_dirs_bad_marker");
    writeMarker(root / "build", (root / "does-not-exist").string());
    EXPECT_FALSE(io::buildTreeSourceDirectory(root / "build" / "app").has_value());
    writeMarker(root / "build2", "");
    EXPECT_FALSE(io::buildTreeSourceDirectory(root / "build2").has_value());
    EXPECT_FALSE(io::bundledDataDirectory(fs::path()).has_value());
}

TEST_F(DataDirectories, InstalledLayoutWinsAndNeverFallsBackToTheBuildTree) {
    const auto root = test::scratchDir("data_dirs_installed");
    const auto prefix = root / "prefix";
    fs::create_directories(prefix / "bin");
    fs::create_directories(prefix / "share" / "tagscope" / "models");
    // A marker above the prefix (as if installed inside a build tree) must not be read.
    const auto source = root / "src";
    fs::create_directories(source);
    writeMarker(root, source.string());
    EXPECT_EQ(io::bundledDataDirectory(prefix / "bin"), prefix / "share" / "tagscope");

    // Without share/tagscope the program is not installed; with the marker gone there is nothing.
    fs::remove_all(prefix / "share");
    fs::remove(root / io::kBuildTreeMarker);
    EXPECT_FALSE(io::bundledDataDirectory(prefix / "bin").has_value());
}

TEST_F(DataDirectories, EnvironmentOverrideComesFirst) {
    const auto root = test::scratchDir("data_dirs_env");
    setenv("TAGSCOPE_DATA_DIR", (root / "data").c_str(), 1);
    EXPECT_EQ(io::bundledDataDirectory(root / "anywhere"), root / "data");
}

TEST_F(DataDirectories, ThisTestBinaryFindsTheSourceModelsOnceThroughTheBuildTree) {
    // The test executable runs from the build tree, whose marker names this checkout.
    const auto data = io::bundledDataDirectory();
    ASSERT_TRUE(data.has_value());
    EXPECT_TRUE(fs::equivalent(*data, test::sourceDir()));
    const char* keys[] = {"TAGSCOPE_MODEL_PATH", "TAGSCOPE_MODELS_DIR"};
    std::vector<std::pair<std::string, std::string>> saved;
    for (const char* k : keys)
        if (const char* v = std::getenv(k)) saved.emplace_back(k, v);
    for (const char* k : keys) unsetenv(k);
    size_t bundled = 0;
    for (const auto& d : cards::defaultModelDirectories())
        if (fs::exists(d) && fs::equivalent(d, test::sourceDir() / "models")) ++bundled;
    for (const auto& [k, v] : saved) setenv(k.c_str(), v.c_str(), 1);
    EXPECT_EQ(bundled, 1u);
}

} // namespace
} // namespace tagscope
