// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings.h"

#include <QSettings>

namespace tagscope::ui {

ViewSettings loadViewSettings() {
    QSettings s;
    ViewSettings v;
    v.modelId = s.value(QStringLiteral("model/id"), v.modelId).toString();
    v.colourMap = s.value(QStringLiteral("view/colourMap"), v.colourMap).toString();
    v.dynamicRangeDb = s.value(QStringLiteral("view/dynamicRangeDb"), v.dynamicRangeDb).toDouble();
    v.attention = s.value(QStringLiteral("overlay/attention"), v.attention).toBool();
    v.relevance = s.value(QStringLiteral("overlay/relevance"), v.relevance).toBool();
    v.curves = s.value(QStringLiteral("overlay/curves"), v.curves).toBool();
    v.attentionSource = s.value(QStringLiteral("overlay/attentionSource"), v.attentionSource).toInt();
    v.attentionLayer = s.value(QStringLiteral("overlay/attentionLayer"), v.attentionLayer).toInt();
    v.attentionHead = s.value(QStringLiteral("overlay/attentionHead"), v.attentionHead).toInt();
    v.attentionPlacement = s.value(QStringLiteral("overlay/attentionPlacement"), v.attentionPlacement).toInt();
    v.attentionOpacity = s.value(QStringLiteral("overlay/attentionOpacity"), v.attentionOpacity).toDouble();
    v.relevanceOpacity = s.value(QStringLiteral("overlay/relevanceOpacity"), v.relevanceOpacity).toDouble();
    v.threshold = s.value(QStringLiteral("tags/threshold"), v.threshold).toDouble();
    v.recentFiles = s.value(QStringLiteral("files/recent")).toStringList();
    v.geometry = s.value(QStringLiteral("window/geometry")).toByteArray();
    v.windowState = s.value(QStringLiteral("window/state")).toByteArray();
    return v;
}

void saveViewSettings(const ViewSettings& v) {
    QSettings s;
    s.setValue(QStringLiteral("model/id"), v.modelId);
    s.setValue(QStringLiteral("view/colourMap"), v.colourMap);
    s.setValue(QStringLiteral("view/dynamicRangeDb"), v.dynamicRangeDb);
    s.setValue(QStringLiteral("overlay/attention"), v.attention);
    s.setValue(QStringLiteral("overlay/relevance"), v.relevance);
    s.setValue(QStringLiteral("overlay/curves"), v.curves);
    s.setValue(QStringLiteral("overlay/attentionSource"), v.attentionSource);
    s.setValue(QStringLiteral("overlay/attentionLayer"), v.attentionLayer);
    s.setValue(QStringLiteral("overlay/attentionHead"), v.attentionHead);
    s.setValue(QStringLiteral("overlay/attentionPlacement"), v.attentionPlacement);
    s.setValue(QStringLiteral("overlay/attentionOpacity"), v.attentionOpacity);
    s.setValue(QStringLiteral("overlay/relevanceOpacity"), v.relevanceOpacity);
    s.setValue(QStringLiteral("tags/threshold"), v.threshold);
    s.setValue(QStringLiteral("files/recent"), v.recentFiles);
    s.setValue(QStringLiteral("window/geometry"), v.geometry);
    s.setValue(QStringLiteral("window/state"), v.windowState);
}

QStringList pushRecentFile(QStringList recent, const QString& path, int limit) {
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > limit) recent.removeLast();
    return recent;
}

} // namespace tagscope::ui
