// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/catalog_support.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/catalog/path_text.h"
#include "core/io/file_util.h"

namespace tagscope::cli {

void addCatalogOption(CLI::App* sub, std::string& target) {
    sub->add_option("--catalog", target,
                    "Catalog file (default: $XDG_DATA_HOME/tagscope/catalog.sqlite or ~/.local/share/tagscope/catalog.sqlite)");
}

std::optional<catalog::Catalog> openCatalogOrReport(const std::string& option) {
    const auto path = option.empty() ? catalog::Catalog::defaultPath() : std::filesystem::path(option);
    auto c = catalog::Catalog::open(path);
    if (!c) {
        printError(c.error());
        return std::nullopt;
    }
    return std::move(*c);
}

std::string analysisOptionsJson(const model::AnalysisOptions& o) {
    static const char* resamplers[] = {"best", "medium", "fastest", "torchaudio"};
    const int r = int(o.resampleQuality);
    const nlohmann::json j = {{"hop_seconds", o.hopSeconds},
                              {"pad_last_chunk", o.padLastChunk},
                              {"align_last_chunk_to_end", o.alignLastChunkToEnd},
                              {"resampler", r >= 0 && r < 4 ? resamplers[r] : "other"}};
    return j.dump();
}

Result<std::string> modelWeightsSha256(const cards::ModelCard& card) {
    if (card.sha256.size() == 64) return card.sha256;
    return io::sha256File(card.weightsPath);
}

void putPath(nlohmann::json& object, const std::string& key, const std::filesystem::path& path) {
    const std::string& bytes = path.native();
    if (catalog::isValidUtf8(bytes)) {
        object[key] = bytes;
        return;
    }
    object[key] = catalog::toValidUtf8(bytes);
    object[key + "_bytes_hex"] = catalog::toHex(bytes);
}

std::string clockText(double seconds) {
    if (!(seconds >= 0.0) || seconds > 360000.0) return "?";
    const long s = long(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

} // namespace tagscope::cli
