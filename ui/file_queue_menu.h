// SPDX-License-Identifier: GPL-3.0-or-later
// The "Queue" menu: files given together (on the command line, dropped at once) wait here; the
// user steps through them with Next/Previous or picks one from the list.
#pragma once

#include <QMenu>
#include <QStringList>

class QAction;

namespace tagscope::ui {

/// A list of files with a current position, shown as a menu. GUI thread.
class FileQueueMenu : public QMenu {
    Q_OBJECT
public:
    explicit FileQueueMenu(QWidget* parent = nullptr);

    /// Replaces the queue with `files` (absolute paths kept as given) and makes the first
    /// current. Returns the first file, or an empty string for an empty list. Emits nothing:
    /// the caller opens the file it returns.
    QString setFiles(const QStringList& files);
    /// Marks `path` as current when it is queued (e.g. opened from Open recent); otherwise no
    /// file is current and Next starts at the first.
    void setCurrentFile(const QString& path);
    /// Emits openRequested for the next / previous queued file; false at the end / start.
    bool next();
    bool previous();

    QStringList files() const { return m_files; }
    /// Index of the current file in files(), or -1.
    int currentIndex() const { return m_current; }

Q_SIGNALS:
    /// The user (or next()/previous()) chose a queued file to open.
    void openRequested(const QString& path);

private:
    void choose(int index);
    void rebuild();

    QStringList m_files;
    int m_current = -1;
    QAction* m_next;
    QAction* m_previous;
    QAction* m_separator;
    QList<QAction*> m_entries; ///< one per queued file, rebuilt on every change
};

} // namespace tagscope::ui
