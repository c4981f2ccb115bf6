// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/architectures.h"
#include "core/model/nets/cnnsa.h"
#include "core/model/nets/music_tagging_transformer.h"

namespace tagscope::model {

std::shared_ptr<TaggerNet> makeAttentionNet(const std::string& architecture, const nlohmann::json& hyper, int nTags) {
    if (architecture == "mtt")
        return std::make_shared<MusicTaggingTransformer>(MusicTaggingTransformerConfig::fromJson(hyper, nTags));
    if (architecture == "cnnsa") return std::make_shared<Cnnsa>(CnnsaConfig::fromJson(hyper, nTags));
    return nullptr;
}

} // namespace tagscope::model
