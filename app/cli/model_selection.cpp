// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/model_selection.h"

namespace tagscope::cli {

namespace fs = std::filesystem;

namespace {

std::string joined(const std::vector<fs::path>& dirs) {
    std::string s;
    for (const auto& d : dirs) s += (s.empty() ? "" : ", ") + d.string();
    return s;
}

} // namespace

Result<cards::ModelCard> selectModelCard(const std::string& spec) {
    std::error_code ec;
    if (!spec.empty() && (spec.ends_with(".json") || fs::is_regular_file(spec, ec))) {
        // NOTE: a checkpoint or weights file given as --model gets a pointer to the import step
        // (parsed as a card it fails with a message about JSON nesting that helps nobody).
        const auto ext = fs::path(spec).extension().string();
        if (ext == ".pth" || ext == ".pt" || ext == ".ckpt" || ext == ".safetensors")
            return fail(Error::Kind::InvalidInput, spec,
                        "is model weights, not a model card (.json): import it first with 'tagscope-cli models "
                        "import " + spec + " --tags VOCABULARY.txt', then use --model with the id it prints");
        return cards::loadModelCard(spec);
    }

    const auto dirs = cards::defaultModelDirectories();
    std::vector<Error> problems;
    auto cards = cards::discoverModelCards(dirs, &problems);
    if (spec.empty()) {
        if (!cards.empty()) return cards.front();
        std::string why = "no model installed (searched " + joined(dirs) +
                          "); import one with 'tagscope-cli models import <checkpoint>'";
        if (!problems.empty()) why += "; unreadable card: " + problems.front().message;
        return fail(Error::Kind::NotFound, {}, why);
    }
    for (auto& card : cards)
        if (card.id == spec) return std::move(card);
    std::string installed;
    for (const auto& card : cards) installed += (installed.empty() ? "" : ", ") + card.id;
    return fail(Error::Kind::NotFound, {},
                "no model '" + spec + "' (installed: " + (installed.empty() ? "none" : installed) +
                    "); see 'tagscope-cli models list'");
}

std::shared_ptr<model::Tagger> loadSelectedModel(const GlobalOptions& options) {
    auto card = selectModelCard(options.model);
    if (!card) {
        printError(card.error());
        return nullptr;
    }
    auto tagger = model::Tagger::load(*card, options.loadOptions());
    if (!tagger) {
        printError("cannot load model '" + card->id + "': " + tagger.error().message);
        return nullptr;
    }
    return std::shared_ptr<model::Tagger>(std::move(*tagger));
}

} // namespace tagscope::cli
