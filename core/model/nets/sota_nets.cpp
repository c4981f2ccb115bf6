// SPDX-License-Identifier: GPL-3.0-or-later
// Factory of the sota-music-tagging-models architectures and their hyper-parameters.
//
// Hyper-parameters (JSON object; absent keys take upstream defaults; unknown keys are errors):
//   all:     "dataset": "mtat" | "msd" | "jamendo" (what the weights were trained on),
//            "n_mels": 96 (the only value these architectures are built for)
//   musicnn: "backend_channels", "dense_channels" (explicit widths; default from "dataset":
//            msd -> 512 / 500, otherwise 64 / 200, as upstream Musicnn(dataset=...))
#include <set>
#include <stdexcept>
#include <string>

#include "core/model/nets/architectures.h"
#include "core/model/nets/crnn.h"
#include "core/model/nets/fcn.h"
#include "core/model/nets/musicnn.h"

namespace tagscope::model {
namespace {

void checkKeys(const std::string& architecture, const nlohmann::json& hyper, const std::set<std::string>& known) {
    if (!hyper.is_object()) throw std::invalid_argument("hyper-parameters must be a JSON object");
    for (const auto& [key, value] : hyper.items()) {
        if (known.count(key)) continue;
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw std::invalid_argument("unknown hyper-parameter '" + key + "' for " + architecture + " (known: " + list + ")");
    }
    if (hyper.contains("n_mels") && !(hyper["n_mels"].is_number_integer() && hyper["n_mels"].get<int>() == 96))
        throw std::invalid_argument(architecture + " is built for 96 mel bands, hyper-parameter n_mels is " +
                                    hyper["n_mels"].dump());
}

std::string datasetOf(const nlohmann::json& hyper) {
    if (!hyper.contains("dataset")) return "mtat";
    const auto& d = hyper["dataset"];
    const std::string name = d.is_string() ? d.get<std::string>() : d.dump();
    if (name != "mtat" && name != "msd" && name != "jamendo")
        throw std::invalid_argument("hyper-parameter dataset must be \"mtat\", \"msd\" or \"jamendo\", got " + d.dump());
    return name;
}

int64_t positiveWidth(const nlohmann::json& hyper, const char* key, int64_t fallback) {
    if (!hyper.contains(key)) return fallback;
    const auto& v = hyper[key];
    if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > 65536)
        throw std::invalid_argument(std::string("hyper-parameter ") + key + " must be a positive integer, got " + v.dump());
    return v.get<int64_t>();
}

} // namespace

std::shared_ptr<TaggerNet> makeSotaNet(const std::string& architecture, const nlohmann::json& hyperIn, int nTags) {
    if (architecture != "fcn" && architecture != "musicnn" && architecture != "crnn") return nullptr;
    const nlohmann::json hyper = hyperIn.is_null() ? nlohmann::json::object() : hyperIn;
    if (architecture == "fcn") {
        checkKeys(architecture, hyper, {"dataset", "n_mels"});
        datasetOf(hyper);
        return std::make_shared<Fcn>(nTags);
    }
    if (architecture == "crnn") {
        checkKeys(architecture, hyper, {"dataset", "n_mels"});
        datasetOf(hyper);
        return std::make_shared<Crnn>(nTags);
    }
    checkKeys(architecture, hyper, {"dataset", "n_mels", "backend_channels", "dense_channels"});
    const auto defaults = *MusicnnOptions::forDataset(datasetOf(hyper));
    MusicnnOptions options;
    options.backendChannels = positiveWidth(hyper, "backend_channels", defaults.backendChannels);
    options.denseChannels = positiveWidth(hyper, "dense_channels", defaults.denseChannels);
    return std::make_shared<Musicnn>(options, nTags);
}

} // namespace tagscope::model
