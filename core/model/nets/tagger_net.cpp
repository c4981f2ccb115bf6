// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/nets/tagger_net.h"

#include <set>

namespace tagscope::model {
namespace {

bool ignorableExtra(const std::string& key) {
    return key.ends_with("num_batches_tracked") || key.starts_with("spec.") || key.find(".spec.") != std::string::npos;
}

std::string joinFirst(const std::vector<std::string>& v, size_t n = 5) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < n; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > n) s += ", ... (" + std::to_string(v.size()) + " in all)";
    return s;
}

} // namespace

Result<void> loadStateDict(TaggerNet& net, const TensorMap& weights, const std::filesystem::path& source,
                           std::string_view prefix) {
    std::vector<std::pair<std::string, torch::Tensor>> targets;
    for (const auto& p : net.named_parameters(true)) targets.emplace_back(p.key(), p.value());
    for (const auto& b : net.named_buffers(true)) targets.emplace_back(b.key(), b.value());

    std::vector<std::string> missing, wrongShape;
    std::set<std::string> used;
    for (const auto& [name, tensor] : targets) {
        const std::string key = std::string(prefix) + name;
        const auto it = weights.find(key);
        if (it == weights.end()) {
            if (name.ends_with("num_batches_tracked")) continue;
            missing.push_back(key);
            continue;
        }
        used.insert(key);
        const auto& shape = it->second.shape;
        if (std::vector<int64_t>(tensor.sizes().begin(), tensor.sizes().end()) != shape) {
            wrongShape.push_back(key + " (file " + it->second.shapeString() + ", model [" +
                                 [&] { std::string s; for (auto d : tensor.sizes()) s += (s.empty() ? "" : ", ") + std::to_string(d); return s; }() + "])");
        }
    }
    std::vector<std::string> unexpected;
    for (const auto& [key, t] : weights)
        if (!used.count(key) && key.starts_with(prefix) && !ignorableExtra(key.substr(prefix.size()))) unexpected.push_back(key);

    if (!missing.empty() || !wrongShape.empty() || !unexpected.empty()) {
        std::string why = "weights do not fit the architecture:";
        if (!missing.empty()) why += " missing keys " + joinFirst(missing) + ";";
        if (!wrongShape.empty()) why += " wrong shapes " + joinFirst(wrongShape) + ";";
        if (!unexpected.empty()) why += " unexpected keys " + joinFirst(unexpected) + ";";
        why.pop_back();
        return fail(Error::Kind::Mismatch, source, why);
    }

    torch::NoGradGuard noGrad;
    for (auto& [name, tensor] : targets) {
        const auto it = weights.find(std::string(prefix) + name);
        if (it == weights.end()) continue;
        auto src = torch::from_blob(const_cast<float*>(it->second.data.data()), tensor.sizes(), torch::kFloat32);
        tensor.copy_(src.to(tensor.dtype()));
    }
    return {};
}

HostTensor toHostTensor(const torch::Tensor& tensor) {
    auto c = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    HostTensor h;
    h.shape.assign(c.sizes().begin(), c.sizes().end());
    h.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return h;
}

torch::Tensor fromHostTensor(const HostTensor& host) {
    return torch::from_blob(const_cast<float*>(host.data.data()), host.shape, torch::kFloat32).clone();
}

TensorMap stateDict(TaggerNet& net) {
    TensorMap out;
    for (const auto& p : net.named_parameters(true)) out.emplace(p.key(), toHostTensor(p.value()));
    for (const auto& b : net.named_buffers(true)) out.emplace(b.key(), toHostTensor(b.value()));
    return out;
}

} // namespace tagscope::model
