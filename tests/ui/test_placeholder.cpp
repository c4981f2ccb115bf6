// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include "ui/main_window.h"
#include <QApplication>
TEST(Ui, WindowConstructsOffscreen) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    int argc = 1; char arg0[] = "t"; char* argv[] = {arg0, nullptr};
    QApplication app(argc, argv);
    tagscope::ui::MainWindow w;
    EXPECT_EQ(w.windowTitle().toStdString(), "Tagscope");
}
