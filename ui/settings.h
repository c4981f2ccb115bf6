// SPDX-License-Identifier: GPL-3.0-or-later
// Persistent user choices (QSettings).
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace tagscope::ui {

/// Everything the window restores on the next start.
struct ViewSettings {
    QString modelId;                    ///< card id of the last model used
    QString colourMap = QStringLiteral("magma");
    double dynamicRangeDb = 80.0;
    bool attention = true;
    bool relevance = true;
    bool curves = true;
    int attentionSource = 0;            ///< AttentionSource as int
    int attentionLayer = -1;
    int attentionHead = 0;
    int attentionPlacement = 1;         ///< AttentionPlacement as int (strip: the spectrogram stays clear)
    double attentionOpacity = 0.55;
    double relevanceOpacity = 0.7;
    double threshold = 0.05;
    QStringList recentFiles;            ///< most recent first
    QByteArray geometry;
    QByteArray windowState;
};

/// Reads the settings (defaults for anything missing). GUI thread.
ViewSettings loadViewSettings();
/// Writes the settings. GUI thread.
void saveViewSettings(const ViewSettings& settings);
/// Puts `path` first in `recent`, without duplicates, keeping at most `limit` entries.
QStringList pushRecentFile(QStringList recent, const QString& path, int limit = 10);

} // namespace tagscope::ui
