// SPDX-License-Identifier: GPL-3.0-or-later
// One offscreen QApplication for every UI test.
#include <gtest/gtest.h>

#include <QApplication>

#include "tests/support/test_paths.h"

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    // NOTE: tests must not read or write the user's settings.
    qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString((tagscope::test::binaryDir() / "test-scratch" / "ui-config").string()));
    ::testing::InitGoogleTest(&argc, argv);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("TagscopeTests"));
    QApplication::setApplicationName(QStringLiteral("tagscope_ui_tests"));
    return RUN_ALL_TESTS();
}
