// SPDX-License-Identifier: GPL-3.0-or-later
// The Library window (filters over a real catalog file, opening a track's stored analysis) and
// the controller showing a stored analysis without a model.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

#include <fstream>
#include <tuple>

#include "core/catalog/catalog.h"
#include "tests/support/test_paths.h"
#include "ui/analysis_controller.h"
#include "ui/library_window.h"
#include "ui/meta_types.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

/// A stored analysis with piano = `piano`, guitar = `guitar` (2 chunks of 2 s).
analysis::TrackAnalysis stored(float piano, float guitar) {
    analysis::TrackAnalysis a;
    a.modelId = "toy";
    a.tagNames = {"piano", "guitar", "piano"};
    a.vocabularyOfTag = {"mtat_top50", "mtat_top50", "msd_top50"};
    a.sampleRate = 16000;
    a.durationSeconds = 4.0;
    a.chunkSeconds = a.hopSeconds = 2.0;
    a.taggram = {{0.0, 2.0}, {2.0, 4.0}, 3, {piano, guitar, 0.1f, piano, guitar, 0.1f}};
    a.trackScores = {piano, guitar, 0.1f};
    a.hierarchy = {{"keys", piano, 0, "piano", {0, 2}, false, {}}, {"guitars", guitar, 1, "guitar", {1}, false, {}}};
    return a;
}

std::filesystem::path makeCatalog(const std::string& name) {
    const auto dir = test::scratchDir(name);
    auto c = catalog::Catalog::open(dir / "catalog.sqlite");
    EXPECT_TRUE(c);
    const std::string model(64, 'c');
    const std::vector<std::tuple<std::string, float, float>> tracks = {
        {"Jazz/solo piano.ogg", 0.9f, 0.1f}, {"Jazz/duo.ogg", 0.6f, 0.7f}, {"Rock/riff.ogg", 0.05f, 0.95f},
        {std::string("Odd/caf\xe9.ogg"), 0.4f, 0.2f}};
    int i = 0;
    for (const auto& [path, piano, guitar] : tracks) {
        const std::string hash = "h" + std::to_string(i++);
        EXPECT_TRUE(c->storeAnalysis({dir / path, 1, 1, hash}, {hash, model, "{}"}, stored(piano, guitar), {}));
    }
    return dir / "catalog.sqlite";
}

} // namespace

TEST(LibraryWindow, FiltersByTagGroupThresholdAndText) {
    registerMetaTypes();
    LibraryWindow w;
    ASSERT_TRUE(w.openCatalog(QString::fromStdString(makeCatalog("library_window_filter").string())));
    EXPECT_EQ(w.visibleTracks(), 4);
    w.setFilter({"piano (mtat_top50)", "", 0.5f, ""});
    EXPECT_EQ(w.visibleTracks(), 2);
    w.setFilter({"piano (mtat_top50)", "", 0.85f, ""});
    EXPECT_EQ(w.visibleTracks(), 1);
    w.setFilter({"", "guitars", 0.5f, ""});
    EXPECT_EQ(w.visibleTracks(), 2);
    w.setFilter({"", "", 0.5f, "jazz/"});
    EXPECT_EQ(w.visibleTracks(), 2);
    // The text box filters as the user types.
    w.setFilter({});
    w.findChild<QLineEdit*>(QStringLiteral("libraryText"))->setText(QStringLiteral("riff"));
    EXPECT_EQ(w.visibleTracks(), 1);
    // The tag box lists each tag once per vocabulary, for people.
    auto* tags = w.findChild<QComboBox*>(QStringLiteral("libraryTag"));
    EXPECT_EQ(tags->count(), 4); // (any), guitar, piano ×2 vocabularies
    EXPECT_FALSE(w.openRow(5));
}

TEST(LibraryWindow, OpeningATrackEmitsItsStoredAnalysis) {
    registerMetaTypes();
    LibraryWindow w;
    ASSERT_TRUE(w.openCatalog(QString::fromStdString(makeCatalog("library_window_open").string())));
    w.setFilter({"", "", 0.0f, "riff"});
    ASSERT_EQ(w.visibleTracks(), 1);
    QSignalSpy opened(&w, &LibraryWindow::trackOpened);
    ASSERT_TRUE(w.openRow(0));
    ASSERT_EQ(opened.count(), 1);
    const auto a = opened.at(0).at(1).value<analysis::TrackAnalysis>();
    EXPECT_TRUE(opened.at(0).at(0).toString().endsWith(QStringLiteral("Rock/riff.ogg")));
    EXPECT_FLOAT_EQ(a.trackScores[1], 0.95f);
    EXPECT_EQ(a.taggram.chunkCount(), 2u);
}

TEST(LibraryWindow, ABrokenCatalogIsReportedNotFatal) {
    const auto dir = test::scratchDir("library_window_broken");
    std::ofstream(dir / "bad.sqlite") << std::string(2048, 'z');
    LibraryWindow w;
    EXPECT_FALSE(w.openCatalog(QString::fromStdString((dir / "bad.sqlite").string())));
    EXPECT_EQ(w.visibleTracks(), 0);
}

TEST(AnalysisController, ShowsAStoredAnalysisWithoutAModel) {
    registerMetaTypes();
    const auto clip = test::sourceDir() / "resources/demo/demo_clip.ogg";
    ASSERT_TRUE(std::filesystem::exists(clip));
    AnalysisController controller; // no model loaded
    QSignalSpy ready(&controller, &AnalysisController::analysisReady);
    auto a = stored(0.8f, 0.3f);
    controller.openStored(QString::fromStdString(clip.string()), a);
    ASSERT_TRUE(ready.wait(30000));
    const auto shown = ready.at(0).at(0).value<analysis::TrackAnalysis>();
    EXPECT_EQ(shown.trackScores, a.trackScores);
    EXPECT_EQ(shown.modelId, "toy");
    EXPECT_GT(shown.mel.nFrames, 0) << "the spectrogram is computed from the audio";
    ASSERT_TRUE(controller.analysis());
    EXPECT_EQ(controller.analysis()->taggram.values, a.taggram.values);
}

TEST(LibraryWindow, Screenshot) {
    // Saves a picture of the window when TAGSCOPE_LIBRARY_SCREENSHOT names a PNG (a manual check).
    const QByteArray out = qgetenv("TAGSCOPE_LIBRARY_SCREENSHOT");
    const QByteArray catalogFile = qgetenv("TAGSCOPE_LIBRARY_CATALOG");
    if (out.isEmpty() || catalogFile.isEmpty()) GTEST_SKIP() << "set TAGSCOPE_LIBRARY_SCREENSHOT and TAGSCOPE_LIBRARY_CATALOG";
    registerMetaTypes();
    LibraryWindow w;
    w.resize(1366, 740);
    ASSERT_TRUE(w.openCatalog(QString::fromUtf8(catalogFile)));
    w.show();
    QTest::qWait(200);
    EXPECT_TRUE(w.grab().save(QString::fromUtf8(out)));
}
