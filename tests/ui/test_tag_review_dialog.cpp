// SPDX-License-Identifier: GPL-3.0-or-later
// The review dialog of tag writing: one row per file, per field and per proposed value, boxes
// that change what is written, skipped files shown with their reason, Apply writing through the
// core. Set TAGSCOPE_SCREENSHOT_DIR to save a picture of the dialog.
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTreeWidget>

#include "core/tagfile/safe_writer.h"
#include "tests/support/test_paths.h"
#include "ui/tag_review_dialog.h"

using namespace tagscope;

namespace {

namespace fs = std::filesystem;

/// A 16-bit mono PCM WAV of `frames` samples of a ramp, written by hand.
fs::path makeWav(const fs::path& path, uint32_t frames) {
    auto le = [](uint32_t v, int n) {
        std::string s;
        for (int i = 0; i < n; ++i) s += char((v >> (8 * i)) & 0xff);
        return s;
    };
    std::string data;
    for (uint32_t i = 0; i < frames; ++i) data += le(uint16_t(int16_t((i * 37) % 20000 - 10000)), 2);
    const std::string fmt = "fmt " + le(16, 4) + le(1, 2) + le(1, 2) + le(8000, 4) + le(16000, 4) + le(2, 2) + le(16, 2);
    std::ofstream(path, std::ios::binary) << "RIFF" << le(uint32_t(4 + fmt.size() + 8 + data.size()), 4) << "WAVE" << fmt
                                          << "data" << le(uint32_t(data.size()), 4) << data;
    return path;
}

tagfile::TrackTags track(const fs::path& file) {
    tagfile::TrackTags t;
    t.file = file;
    t.modelId = "test-model";
    t.tagNames = {"genre---ambient", "genre---rock", "mood/theme---calm", "instrument---piano"};
    t.vocabularies = std::vector<std::string>(4, "jamendo_top50");
    t.scores = {0.8f, 0.7f, 0.6f, 0.9f};
    return t;
}

QTreeWidgetItem* childNamed(QTreeWidgetItem* parent, const QString& name) {
    for (int i = 0; i < parent->childCount(); ++i)
        if (parent->child(i)->text(0) == name) return parent->child(i);
    return nullptr;
}

} // namespace

TEST(TagReviewDialog, BoxesDecideWhatIsWrittenAndApplyWritesThroughTheCore) {
    const auto dir = test::scratchDir("ui_tag_review");
    std::vector<fs::path> files = {makeWav(dir / "first.wav", 8000), makeWav(dir / "second.wav", 8000),
                                   makeWav(dir / "locked.wav", 8000)};
    for (const auto& f : files) ASSERT_TRUE(tagfile::writeFields(f, {{"GENRE", {"Jazz"}}, {"ARTIST", {"A"}}}));
    fs::permissions(files[2], fs::perms::owner_read);
    std::vector<tagfile::FilePlan> plans;
    for (const auto& f : files) plans.push_back(tagfile::planWrite(track(f), nullptr, {}));

    ui::TagReviewDialog dialog(plans, nullptr, QString::fromStdString((dir / "journal.jsonl").string()));
    QTreeWidget* tree = dialog.tree();
    ASSERT_EQ(tree->topLevelItemCount(), 3);
    QTreeWidgetItem* first = tree->topLevelItem(0);
    QTreeWidgetItem* second = tree->topLevelItem(1);
    QTreeWidgetItem* locked = tree->topLevelItem(2);
    EXPECT_EQ(first->text(0), "first.wav");
    EXPECT_EQ(first->checkState(0), Qt::Checked);
    EXPECT_FALSE(locked->flags() & Qt::ItemIsUserCheckable);
    EXPECT_TRUE(locked->text(4).contains("read-only")) << locked->text(4).toStdString();

    QTreeWidgetItem* genre = childNamed(first, "GENRE");
    ASSERT_NE(genre, nullptr);
    EXPECT_EQ(genre->text(1), "Jazz");
    EXPECT_EQ(genre->text(2), "Jazz, ambient, rock");
    QTreeWidgetItem* rock = childNamed(genre, "rock");
    ASSERT_NE(rock, nullptr);
    EXPECT_EQ(rock->text(3), "0.70");
    ASSERT_NE(childNamed(first, "MOOD"), nullptr);
    ASSERT_NE(childNamed(first, "TAGSCOPE"), nullptr);

    if (const char* shots = std::getenv("TAGSCOPE_SCREENSHOT_DIR")) {
        dialog.show();
        dialog.grab().save(QString::fromLocal8Bit(shots) + "/tag_review_dialog.png");
    }

    rock->setCheckState(0, Qt::Unchecked);
    EXPECT_EQ(genre->text(2), "Jazz, ambient") << "the After column follows the boxes";
    second->setCheckState(0, Qt::Unchecked);
    const auto reviewed = dialog.reviewedPlans();
    ASSERT_EQ(reviewed.size(), 1u);
    EXPECT_EQ(reviewed[0].file, files[0]);
    EXPECT_EQ(reviewed[0].changedFields().at("GENRE"), (std::vector<std::string>{"Jazz", "ambient"}));

    QSignalSpy spy(&dialog, &ui::TagReviewDialog::applied);
    dialog.apply();
    ASSERT_EQ(spy.count(), 1);
    EXPECT_EQ(spy.at(0).at(0).toInt(), 1);
    EXPECT_EQ(first->text(4), "written");
    EXPECT_EQ(tagfile::readTags(files[0])->fields.at("GENRE"), (std::vector<std::string>{"Jazz", "ambient"}));
    EXPECT_EQ(tagfile::readTags(files[0])->fields.at("MOOD"), std::vector<std::string>{"calm"});
    EXPECT_EQ(tagfile::readTags(files[1])->fields.at("GENRE"), std::vector<std::string>{"Jazz"}) << "unticked file untouched";
    EXPECT_TRUE(fs::exists(dir / "journal.jsonl"));
}
