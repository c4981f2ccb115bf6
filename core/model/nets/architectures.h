// SPDX-License-Identifier: GPL-3.0-or-later
// Factories of the architecture families; createNet() asks each in turn.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model/nets/tagger_net.h"

namespace tagscope::model {

/// "mtt" (Music Tagging Transformer) and "cnnsa" (Won et al. 2019); nullptr for other names.
std::shared_ptr<TaggerNet> makeAttentionNet(const std::string& architecture, const nlohmann::json& hyper, int nTags);

/// "fcn", "musicnn", "crnn" (sota-music-tagging-models); nullptr for other names.
std::shared_ptr<TaggerNet> makeSotaNet(const std::string& architecture, const nlohmann::json& hyper, int nTags);

} // namespace tagscope::model
