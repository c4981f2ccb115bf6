// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/architectures.h"

namespace tagscope::model {

Result<std::shared_ptr<TaggerNet>> createNet(const std::string& architecture, const nlohmann::json& hyper, int nTags) {
    if (nTags <= 0) return fail(Error::Kind::InvalidInput, {}, "a model needs at least one output tag");
    try {
        if (auto net = makeAttentionNet(architecture, hyper, nTags)) return net;
        if (auto net = makeSotaNet(architecture, hyper, nTags)) return net;
    } catch (const std::exception& e) {
        return fail(Error::Kind::InvalidInput, {}, "cannot build architecture '" + architecture + "': " + e.what());
    }
    return fail(Error::Kind::InvalidInput, {}, "unknown architecture '" + architecture +
                "' (known: mtt, cnnsa, fcn, musicnn, crnn)");
}

} // namespace tagscope::model
