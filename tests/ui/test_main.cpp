// SPDX-License-Identifier: GPL-3.0-or-later
// One offscreen QApplication for every UI test.
#include <gtest/gtest.h>

#include <QApplication>

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    // NOTE: tests must not read or write the user's settings.
    qputenv("XDG_CONFIG_HOME", QByteArray(TAGSCOPE_BINARY_DIR_DEFAULT) + "/test-scratch/ui-config");
    ::testing::InitGoogleTest(&argc, argv);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("TagscopeTests"));
    QApplication::setApplicationName(QStringLiteral("tagscope_ui_tests"));
    return RUN_ALL_TESTS();
}
