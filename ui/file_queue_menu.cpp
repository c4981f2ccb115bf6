// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/file_queue_menu.h"

#include <utility>

#include <QAction>
#include <QFileInfo>

namespace tagscope::ui {

FileQueueMenu::FileQueueMenu(QWidget* parent) : QMenu(tr("&Queue"), parent) {
    m_next = new QAction(tr("&Next file"), this);
    m_next->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageDown));
    m_previous = new QAction(tr("&Previous file"), this);
    m_previous->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageUp));
    connect(m_next, &QAction::triggered, this, [this] { next(); });
    connect(m_previous, &QAction::triggered, this, [this] { previous(); });
    // NOTE: the shortcuts work while the menu is closed because the window carries them too.
    if (parent) parent->addActions({m_next, m_previous});
    addAction(m_next);
    addAction(m_previous);
    m_separator = addSeparator();
    rebuild();
}

QString FileQueueMenu::setFiles(const QStringList& files) {
    m_files = files;
    m_current = files.isEmpty() ? -1 : 0;
    rebuild();
    return files.isEmpty() ? QString() : files.front();
}

void FileQueueMenu::setCurrentFile(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_current = -1;
    for (int i = 0; i < m_files.size(); ++i)
        if (m_files[i] == path || QFileInfo(m_files[i]).absoluteFilePath() == absolute) m_current = i;
    rebuild();
}

bool FileQueueMenu::next() {
    if (m_current + 1 >= m_files.size()) return false;
    choose(m_current + 1);
    return true;
}

bool FileQueueMenu::previous() {
    if (m_current <= 0) return false;
    choose(m_current - 1);
    return true;
}

void FileQueueMenu::choose(int index) {
    m_current = index;
    rebuild();
    Q_EMIT openRequested(m_files[index]);
}

void FileQueueMenu::rebuild() {
    // NOTE: deleteLater, as rebuild() may run inside the triggered() of an entry it removes.
    for (QAction* entry : std::as_const(m_entries)) {
        removeAction(entry);
        entry->deleteLater();
    }
    m_entries.clear();
    m_next->setEnabled(m_current + 1 < m_files.size());
    m_previous->setEnabled(m_current > 0);
    m_separator->setVisible(!m_files.isEmpty());
    for (int i = 0; i < m_files.size(); ++i) {
        const QString path = m_files[i];
        // NOTE: "&" in a file name would otherwise become a mnemonic.
        QAction* item = addAction(QStringLiteral("%1. %2").arg(i + 1).arg(QFileInfo(path).fileName().replace(QLatin1Char('&'), QStringLiteral("&&"))));
        item->setToolTip(path);
        item->setCheckable(true);
        item->setChecked(i == m_current);
        m_entries.append(item);
        connect(item, &QAction::triggered, this, [this, i] { choose(i); });
    }
    setTitle(m_files.size() > 1 && m_current >= 0 ? tr("&Queue (%1/%2)").arg(m_current + 1).arg(m_files.size())
                                                   : tr("&Queue"));
    setEnabled(!m_files.isEmpty());
}

} // namespace tagscope::ui
