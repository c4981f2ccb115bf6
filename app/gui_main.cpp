// SPDX-License-Identifier: GPL-3.0-or-later
// The Tagscope window. Composition only: parse the command line, build the window, run.
#include <cstring>

#include <QApplication>
#include <QCommandLineParser>

#include "ui/main_window.h"

namespace {

struct Options {
    QCommandLineOption model{QStringLiteral("model"), QStringLiteral("Model card (.json) or upstream checkpoint (.pth)"),
                             QStringLiteral("path")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                  QStringLiteral("Save a window screenshot once the analysis and the explanation are done, then quit"),
                                  QStringLiteral("png")};
    QCommandLineOption selectTag{QStringLiteral("select-tag"), QStringLiteral("Tag to select and explain"), QStringLiteral("tag")};
    QCommandLineOption overlay{QStringLiteral("overlay"),
                               QStringLiteral("Overlays to switch on, comma separated: attention,relevance"),
                               QStringLiteral("list")};
};

void describe(QCoreApplication& app, QCommandLineParser& parser, const Options& o) {
    QCoreApplication::setApplicationName(QStringLiteral("Tagscope"));
    QCoreApplication::setOrganizationName(QStringLiteral("Tagscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TAGSCOPE_VERSION));
    parser.setApplicationDescription(
        QStringLiteral("Tagscope: interpretable music auto-tagging. Opens audio files, tags them with a neural "
                       "network and shows which moments and frequencies explain each tag. With several files, "
                       "the first opens and the others wait in the Queue menu (Ctrl+PgDown: next file)."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QStringLiteral("Audio files to analyse (default: the bundled demo clip)"),
                                 QStringLiteral("[files...]"));
    parser.addOptions({o.model, o.screenshot, o.selectTag, o.overlay});
    parser.process(app);
}

/// --help and --version print and exit; they need no display.
bool onlyPrints(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"-h", "--help", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], flag) == 0) return true;
    return false;
}

} // namespace

int main(int argc, char** argv) {
    const Options o;
    if (onlyPrints(argc, argv)) {
        QCoreApplication app(argc, argv);
        QCommandLineParser parser;
        describe(app, parser, o); // prints and exits
        return 0;
    }
    QApplication app(argc, argv);
    QCommandLineParser parser;
    describe(app, parser, o);

    tagscope::ui::StartupOptions options;
    options.files = parser.positionalArguments();
    if (!options.files.isEmpty()) options.file = options.files.front();
    options.model = parser.value(o.model);
    options.screenshot = parser.value(o.screenshot);
    options.selectTag = parser.value(o.selectTag);
    if (parser.isSet(o.overlay)) options.overlays = parser.value(o.overlay).split(QLatin1Char(','), Qt::SkipEmptyParts);

    tagscope::ui::MainWindow window;
    window.show();
    window.startUp(options);
    return QApplication::exec();
}
