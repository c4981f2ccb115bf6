// SPDX-License-Identifier: GPL-3.0-or-later
// Writing tags from the Library window: the selection's stored analyses become review plans,
// the dialog writes them, and the catalog rows follow the rewritten files.
#include <gtest/gtest.h>

#include <QPushButton>
#include <QTreeWidget>

#include "core/catalog/catalog.h"
#include "core/tagfile/audio_payload.h"
#include "core/tagfile/tag_file.h"
#include "tests/app/library_fixture.h"
#include "tests/support/test_paths.h"
#include "ui/library_window.h"
#include "ui/tag_review_dialog.h"

using namespace tagscope;
using namespace tagscope::ui;

TEST(LibraryWindow, WritesTheSelectedTracksTagsAndUpdatesTheirRows) {
    const auto dir = test::scratchDir("library_write");
    const auto files = test::makeLibrary(dir / "music", 3, 1.0);
    const tagfile::FieldMap old = {{"ARTIST", {"Someone"}}, {"GENRE", {"Chiptune"}}};
    {
        auto c = catalog::Catalog::open(dir / "catalog.sqlite");
        ASSERT_TRUE(c);
        int i = 0;
        for (const auto& f : files) {
            ASSERT_TRUE(tagfile::writeFields(f, old));
            std::filesystem::copy_file(f, dir / ("pristine" + std::to_string(i) + ".wav"));
            auto row = catalog::statTrackFile(f);
            ASSERT_TRUE(row);
            row->audioHash = "hash" + std::to_string(i++);
            analysis::TrackAnalysis a;
            a.modelId = "toy";
            a.tagNames = {"genre---ambient", "mood/theme---calm", "genre---rock"};
            a.vocabularyOfTag = {"jamendo_top50", "jamendo_top50", "jamendo_top50"};
            a.sampleRate = 16000;
            a.durationSeconds = 1.0;
            a.chunkSeconds = a.hopSeconds = 1.0;
            a.taggram = {{0.0}, {1.0}, 3, {0.8f, 0.7f, 0.1f}};
            a.trackScores = {0.8f, 0.7f, 0.1f};
            ASSERT_TRUE(c->storeAnalysis(*row, {row->audioHash, std::string(64, 'a'), "{}"}, a, {}));
        }
    }
    LibraryWindow w;
    ASSERT_TRUE(w.openCatalog(QString::fromStdString((dir / "catalog.sqlite").string())));
    auto* list = w.findChild<QTreeWidget*>(QStringLiteral("libraryList"));
    auto* write = w.findChild<QPushButton*>(QStringLiteral("libraryWrite"));
    ASSERT_TRUE(list && write);
    EXPECT_FALSE(write->isEnabled()) << "nothing selected yet";
    EXPECT_TRUE(w.selectedTracks().empty());
    list->topLevelItem(0)->setSelected(true);
    list->topLevelItem(2)->setSelected(true);
    EXPECT_TRUE(write->isEnabled());
    const auto tracks = w.selectedTracks();
    ASSERT_EQ(tracks.size(), 2u);

    auto plans = TagReviewDialog::plansFor(tracks);
    ASSERT_EQ(plans.size(), 2u);
    for (const auto& p : plans) {
        EXPECT_TRUE(p.skipReason.empty()) << p.skipReason;
        EXPECT_TRUE(p.hasChanges());
    }
    TagReviewDialog dialog(std::move(plans), nullptr, QString::fromStdString((dir / "journal.jsonl").string()));
    dialog.apply();
    ASSERT_EQ(dialog.writtenFiles().size(), 2u);
    w.noteWritten(dialog.writtenFiles());

    auto c = catalog::Catalog::open(dir / "catalog.sqlite");
    ASSERT_TRUE(c);
    for (const auto& f : dialog.writtenFiles()) {
        auto fields = tagfile::readTags(f);
        ASSERT_TRUE(fields);
        EXPECT_EQ(fields->fields.at("ARTIST"), std::vector<std::string>{"Someone"});
        EXPECT_EQ(fields->fields.at("GENRE"), (std::vector<std::string>{"Chiptune", "ambient"}));
        const auto index = std::find(files.begin(), files.end(), f) - files.begin();
        EXPECT_TRUE(tagfile::verifySameAudio(dir / ("pristine" + std::to_string(index) + ".wav"), f));
        auto row = c->track(f);
        ASSERT_TRUE(row && *row);
        EXPECT_EQ((*row)->size, int64_t(std::filesystem::file_size(f))) << "the row follows the rewritten file";
        EXPECT_EQ((*row)->audioHash, "hash" + std::to_string(index));
    }
}
