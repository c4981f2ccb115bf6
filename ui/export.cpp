// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/export.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QWidget>

#include "ui/explanation_figure.h"
#include "ui/qcp.h"

#include "core/analysis/serialize.h"

namespace tagscope::ui {

namespace {

tl::unexpected<Error> writeError(const QString& path, const std::string& reason) {
    return fail(Error::Kind::Io, path.toStdString(), reason);
}

Result<void> writeText(const QString& path, const std::string& text) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return writeError(path, "cannot open for writing: " + file.errorString().toStdString());
    if (file.write(text.data(), qint64(text.size())) != qint64(text.size()) || !file.commit())
        return writeError(path, "writing failed: " + file.errorString().toStdString());
    return {};
}

} // namespace

Result<void> exportPlot(QCustomPlot* plot, const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    const int w = plot->width();
    const int h = plot->height();
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        ok = plot->savePng(path, w, h, 2.0);
    } else if (suffix == QLatin1String("pdf")) {
        ok = plot->savePdf(path, w, h);
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(QSize(w, h));
        generator.setViewBox(QRect(0, 0, w, h));
        generator.setTitle(QStringLiteral("Tagscope"));
        QCPPainter painter;
        ok = painter.begin(&generator);
        if (ok) {
            plot->toPainter(&painter, w, h);
            ok = painter.end();
        }
        ok = ok && QFileInfo::exists(path);
    } else {
        return fail(Error::Kind::InvalidInput, path.toStdString(), "unknown image format (use .png, .svg or .pdf)");
    }
    if (!ok) return writeError(path, "could not write the image");
    return {};
}

Result<void> exportFigure(const ExplanationFigure& figure, const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QSize size = figure.size();
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        QSaveFile file(path);
        ok = file.open(QIODevice::WriteOnly) && figure.toImage().save(&file, "PNG") && file.commit();
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        generator.setTitle(QStringLiteral("Tagscope"));
        QPainter painter;
        ok = painter.begin(&generator);
        if (ok) {
            figure.paint(painter);
            ok = painter.end() && QFileInfo::exists(path);
        }
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter writer(path);
        writer.setResolution(96);
        writer.setPageSize(QPageSize(QSizeF(size) * 72.0 / 96.0, QPageSize::Point));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter painter;
        ok = painter.begin(&writer);
        if (ok) {
            figure.paint(painter);
            ok = painter.end() && QFileInfo::exists(path);
        }
    } else {
        return fail(Error::Kind::InvalidInput, path.toStdString(), "unknown image format (use .png, .svg or .pdf)");
    }
    if (!ok) return writeError(path, "could not write the image");
    return {};
}

Result<void> exportWidgetPng(QWidget* widget, const QString& path) {
    if (!widget->grab().save(path, "PNG")) return writeError(path, "could not write the screenshot");
    return {};
}

Result<void> exportResults(const analysis::TrackAnalysis& analysis, const cards::ModelCard* card,
                           const std::vector<analysis::TagExplanation>& explanations, const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("json"))
        return writeText(path, analysis::toJson(analysis, card, explanations).dump(2) + "\n");
    if (suffix == QLatin1String("csv"))
        return writeText(path, analysis::tagCsvHeader() + "\n" + analysis::tagCsvRows(analysis));
    return fail(Error::Kind::InvalidInput, path.toStdString(), "unknown results format (use .json or .csv)");
}

} // namespace tagscope::ui
