// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/architectures.h"

namespace tagscope::model {

// Placeholder until the MTT / CNNSA architectures land.
std::shared_ptr<TaggerNet> makeAttentionNet(const std::string&, const nlohmann::json&, int) { return nullptr; }

} // namespace tagscope::model
