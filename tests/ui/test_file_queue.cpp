// SPDX-License-Identifier: GPL-3.0-or-later
// The Queue menu: several files given at once, the first opened, the rest reachable with
// Next/Previous or from the list; and the window's startUp queues every file it is given.
#include <gtest/gtest.h>

#include <QAction>
#include <QSignalSpy>

#include "tests/support/test_paths.h"
#include "ui/analysis_controller.h"
#include "ui/file_queue_menu.h"
#include "ui/main_window.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

QStringList threeFiles() {
    return {QStringLiteral("/music/a.flac"), QStringLiteral("/music/b & c.ogg"), QStringLiteral("/music/d.wav")};
}

/// The list entries of the menu (checkable actions), in order.
QList<QAction*> entries(const FileQueueMenu& menu) {
    QList<QAction*> out;
    for (QAction* a : menu.actions())
        if (a->isCheckable()) out.append(a);
    return out;
}

} // namespace

TEST(FileQueueMenu, FirstFileIsCurrentAndNextPreviousStepThroughTheRest) {
    FileQueueMenu menu;
    QSignalSpy opened(&menu, &FileQueueMenu::openRequested);
    EXPECT_EQ(menu.setFiles(threeFiles()), QStringLiteral("/music/a.flac"));
    EXPECT_EQ(menu.currentIndex(), 0);
    EXPECT_TRUE(opened.isEmpty()); // the caller opens the first file itself
    EXPECT_EQ(menu.title(), QStringLiteral("&Queue (1/3)"));
    EXPECT_FALSE(menu.previous());

    EXPECT_TRUE(menu.next());
    EXPECT_TRUE(menu.next());
    EXPECT_FALSE(menu.next()); // at the end: nothing more to open
    ASSERT_EQ(opened.size(), 2);
    EXPECT_EQ(opened[0][0].toString(), QStringLiteral("/music/b & c.ogg"));
    EXPECT_EQ(opened[1][0].toString(), QStringLiteral("/music/d.wav"));
    EXPECT_EQ(menu.title(), QStringLiteral("&Queue (3/3)"));

    EXPECT_TRUE(menu.previous());
    ASSERT_EQ(opened.size(), 3);
    EXPECT_EQ(opened[2][0].toString(), QStringLiteral("/music/b & c.ogg"));
}

TEST(FileQueueMenu, ListShowsEveryFileChecksTheCurrentAndOpensAChosenOne) {
    FileQueueMenu menu;
    menu.setFiles(threeFiles());
    auto list = entries(menu);
    ASSERT_EQ(list.size(), 3);
    EXPECT_EQ(list[1]->text(), QStringLiteral("2. b && c.ogg")); // '&' is not a mnemonic
    EXPECT_TRUE(list[0]->isChecked());
    EXPECT_FALSE(list[2]->isChecked());

    QSignalSpy opened(&menu, &FileQueueMenu::openRequested);
    list[2]->trigger();
    ASSERT_EQ(opened.size(), 1);
    EXPECT_EQ(opened[0][0].toString(), QStringLiteral("/music/d.wav"));
    list = entries(menu);
    EXPECT_TRUE(list[2]->isChecked());
    EXPECT_FALSE(list[0]->isChecked());
}

TEST(FileQueueMenu, FileOpenedElsewhereClearsTheCurrentAndEmptyQueueIsDisabled) {
    FileQueueMenu menu;
    EXPECT_TRUE(menu.setFiles({}).isEmpty());
    EXPECT_FALSE(menu.isEnabled());
    EXPECT_FALSE(menu.next());

    menu.setFiles(threeFiles());
    EXPECT_TRUE(menu.isEnabled());
    menu.setCurrentFile(QStringLiteral("/music/d.wav"));
    EXPECT_EQ(menu.currentIndex(), 2);
    menu.setCurrentFile(QStringLiteral("/elsewhere/x.mp3"));
    EXPECT_EQ(menu.currentIndex(), -1);
    QSignalSpy opened(&menu, &FileQueueMenu::openRequested);
    EXPECT_TRUE(menu.next()); // from outside the queue, Next starts at the first
    ASSERT_EQ(opened.size(), 1);
    EXPECT_EQ(opened[0][0].toString(), QStringLiteral("/music/a.flac"));
}

TEST(FileQueueMenu, WindowOpensTheFirstOfSeveralFilesAndQueuesTheOthers) {
    // NOTE: files that do not exist: the window's queue is under test, not decoding.
    const auto dir = test::scratchDir("file_queue_window");
    const QString first = QString::fromStdString((dir / "first.ogg").string());
    const QString second = QString::fromStdString((dir / "second.ogg").string());
    MainWindow window;
    StartupOptions options;
    options.files = {first, second};
    options.file = first;
    options.model = QStringLiteral("/nonexistent/model.json"); // keep the test from loading a model
    window.startUp(options);
    ASSERT_NE(window.queue(), nullptr);
    EXPECT_EQ(window.queue()->files(), options.files);
    EXPECT_EQ(window.queue()->currentIndex(), 0);
    EXPECT_EQ(window.controller()->currentFile(), first);

    EXPECT_TRUE(window.queue()->next());
    EXPECT_EQ(window.controller()->currentFile(), second);
    EXPECT_EQ(window.queue()->currentIndex(), 1);
    window.controller()->cancel();
}
