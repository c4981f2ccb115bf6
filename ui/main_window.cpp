// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/main_window.h"

#include <QLabel>

namespace tagscope::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(QStringLiteral("Tagscope"));
    setCentralWidget(new QLabel(QStringLiteral("Tagscope"), this));
    resize(1200, 800);
}

} // namespace tagscope::ui
