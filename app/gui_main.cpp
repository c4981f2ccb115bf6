// SPDX-License-Identifier: GPL-3.0-or-later
// The Tagscope window. Composition only: parse the command line, build the window, run.
#include <QApplication>
#include <QCommandLineParser>

#include "ui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Tagscope"));
    QApplication::setOrganizationName(QStringLiteral("Tagscope"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Interpretable music auto-tagging"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("Audio file to analyse (default: demo clip)"));
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("Model card (.json) or upstream checkpoint (.pth)"),
                                   QStringLiteral("path"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save a window screenshot once the analysis and the explanation are done, then quit"),
                                        QStringLiteral("png"));
    const QCommandLineOption selectTag(QStringLiteral("select-tag"), QStringLiteral("Tag to select and explain"),
                                       QStringLiteral("tag"));
    const QCommandLineOption overlay(QStringLiteral("overlay"),
                                     QStringLiteral("Overlays to switch on, comma separated: attention,relevance"),
                                     QStringLiteral("list"));
    const QCommandLineOption compare(QStringLiteral("compare-model"),
                                     QStringLiteral("Open the split view comparing with this model (card id, .json or .pth)"),
                                     QStringLiteral("model"));
    parser.addOptions({model, screenshot, selectTag, overlay, compare});
    parser.process(app);

    tagscope::ui::StartupOptions options;
    if (!parser.positionalArguments().isEmpty()) options.file = parser.positionalArguments().front();
    options.model = parser.value(model);
    options.screenshot = parser.value(screenshot);
    options.selectTag = parser.value(selectTag);
    options.compareModel = parser.value(compare);
    if (parser.isSet(overlay)) options.overlays = parser.value(overlay).split(QLatin1Char(','), Qt::SkipEmptyParts);

    tagscope::ui::MainWindow window;
    window.show();
    window.startUp(options);
    return QApplication::exec();
}
