// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/model_bootstrap.h"

#include <cstdlib>

#include <QDir>
#include <QFile>
#include <QStandardPaths>

#include "core/io/data_directories.h"

// NOTE: resources compiled into a static library are registered explicitly.
static void initTagscopeResources() { Q_INIT_RESOURCE(resources); }

namespace tagscope::ui {

namespace fs = std::filesystem;

fs::path sharedDirectory() {
    if (const char* e = std::getenv("TAGSCOPE_SHARED"); e && *e) return e;
    // NOTE: only a program run from its build tree has a development checkout next to it.
    if (const auto source = io::buildTreeSourceDirectory(io::executableDirectory())) return *source / ".." / "shared";
    return {};
}

std::vector<cards::ModelCard> installedModels() { return cards::discoverModelCards(cards::defaultModelDirectories()); }

Result<cards::ModelCard> upstreamCheckpointCard(const fs::path& checkpoint, const fs::path& tagsDir) {
    const std::string stem = checkpoint.stem().string(); // "<dataset>_<arch>"
    const auto underscore = stem.find('_');
    if (underscore == std::string::npos)
        return fail(Error::Kind::InvalidInput, checkpoint, "expected a name like mtat_fcn.pth");
    const std::string dataset = stem.substr(0, underscore);
    const std::string arch = stem.substr(underscore + 1);
    if (arch != "fcn" && arch != "musicnn" && arch != "crnn")
        return fail(Error::Kind::InvalidInput, checkpoint, "unknown upstream architecture '" + arch + "'");
    fs::path vocabularyFile = tagsDir / (dataset + "_top50.txt");
    // NOTE: without the reference folder (an installed program), the list may sit beside the checkpoint.
    if (std::error_code ec; !fs::exists(vocabularyFile, ec)) {
        const fs::path beside = checkpoint.parent_path() / vocabularyFile.filename();
        if (fs::exists(beside, ec)) vocabularyFile = beside;
    }
    auto vocabulary = tags::loadTagVocabulary(vocabularyFile);
    if (!vocabulary) return fail(vocabulary.error());
    vocabulary->name = dataset + "_top50";
    cards::ModelCard card;
    card.id = "upstream-" + stem;
    card.name = "Upstream " + arch + " (" + dataset + ")";
    card.architecture = arch;
    card.hyperParameters = {{"dataset", dataset}};
    card.sampleRate = 16000;
    // NOTE: upstream input lengths: 29.1 s for FCN/CRNN, 3 s for MusiCNN.
    card.chunkSamples = arch == "musicnn" ? 48000 : 465600;
    card.vocabularies.push_back(*vocabulary);
    if (const auto data = io::bundledDataDirectory()) {
        const fs::path taxonomy = *data / "models" / "taxonomy" / (dataset + "_top50.json");
        if (fs::exists(taxonomy)) card.taxonomyPath = taxonomy;
    }
    card.weightsPath = fs::absolute(checkpoint);
    card.source = "minzwon/sota-music-tagging-models";
    card.license = "MIT";
    card.cardPath = card.weightsPath;
    return card;
}

std::optional<cards::ModelCard> defaultModel(const std::vector<cards::ModelCard>& installed) {
    if (!installed.empty()) return installed.front();
    const fs::path shared = sharedDirectory();
    if (shared.empty()) return std::nullopt;
    const fs::path checkpoint = shared / "models" / "upstream" / "mtat_fcn.pth";
    if (!fs::exists(checkpoint)) return std::nullopt;
    auto card = upstreamCheckpointCard(checkpoint, shared / "tags");
    if (!card) return std::nullopt;
    return *card;
}

void initResources() { initTagscopeResources(); }

std::optional<fs::path> demoClip() {
    initResources();
    const QString resource = QStringLiteral(":/tagscope/demo/demo_clip.ogg");
    if (QFile::exists(resource)) {
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::TempLocation);
        const QString target = QDir(dir).filePath(QStringLiteral("tagscope-demo-clip.ogg"));
        if (!QFile::exists(target) && !QFile::copy(resource, target)) return std::nullopt;
        return fs::path(target.toStdString());
    }
    return std::nullopt;
}

} // namespace tagscope::ui
