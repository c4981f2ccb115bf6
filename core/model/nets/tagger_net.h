// SPDX-License-Identifier: GPL-3.0-or-later
// Torch-facing interface of every tagging architecture. Include only from core/model and tests.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/tensor.h"
#include "core/model/torch_shim.h"

namespace tagscope::model {

/// Optional control of the attention layers of a forward pass. Passing nullptr (the default)
/// costs nothing: no weights are kept.
struct AttentionControl {
    /// When true, `captured[l]` receives layer l's softmax weights, B x heads x N x N
    /// (query rows, key columns; token 0 is [CLS]), detached unless gradients are wanted.
    bool capture = false;
    /// Layer whose attention weights are replaced by a one-hot on `forceTokens[b]` (every query
    /// of batch row b attends only to that key token): the "forced attention" of Won et al. 2019.
    int forceLayer = -1;
    torch::Tensor forceTokens; ///< int64, shape (B)
    std::vector<torch::Tensor> captured;
    /// When true, a net with an attention-based coarse head puts its groups' attention over the
    /// fine tags in `coarseRelation` (B x groups x fine tags).
    bool captureCoarse = false;
    torch::Tensor coarseRelation;
};

/// A tagger network. Input is the dB mel spectrogram (AmplitudeToDB output, before the model's
/// own spec batch norm), B x nMels x T; output is sigmoid probabilities, B x nTags.
/// Parameter and buffer names equal the upstream PyTorch state dict keys.
class TaggerNet : public torch::nn::Module {
public:
    ~TaggerNet() override = default;

    virtual torch::Tensor forward(const torch::Tensor& dbMel, AttentionControl* attention = nullptr) = 0;

    /// Attention architectures (MTT, CNNSA) return true and implement the members below.
    virtual bool hasAttention() const { return false; }
    /// Nets with an attention-based coarse head (AttentionControl::captureCoarse) return true.
    virtual bool hasCoarseAttention() const { return false; }
    virtual int attentionLayers() const { return 0; }
    virtual int attentionHeads() const { return 0; }
    /// Most mel frames of one input for a net that takes chunks of any length (the MTT); 0 for
    /// nets built for their card's chunk length only. Cards with track chunks need a nonzero one.
    virtual int64_t maxFrames() const { return 0; }
    /// Tokens (including [CLS] at index 0) the transformer sees for `nFrames` mel frames.
    virtual int64_t tokenCount(int64_t nFrames) const { return 0; }
    /// Half-open mel frame range [first, last) that token `token` (>= 1) covers.
    virtual std::pair<int64_t, int64_t> tokenFrameSpan(int64_t token, int64_t nFrames) const { return {0, nFrames}; }
    /// Front end only: the token sequence that enters the first attention layer (B x N x D).
    virtual torch::Tensor encode(const torch::Tensor& dbMel) { TORCH_CHECK(false, "no attention front end"); }
    /// Back end only: attention layers and head from `encode`'s output to probabilities.
    virtual torch::Tensor decode(const torch::Tensor& tokens, AttentionControl* attention) {
        TORCH_CHECK(false, "no attention back end");
    }

    /// Prepares for fast inference after loading (e.g. folds batch norms into convolutions).
    /// Called once, in eval mode; gradients w.r.t. the input still work afterwards.
    virtual void optimizeForInference() {}
};

/// Copies `weights` (upstream key names, optionally with `prefix` such as "network.") into the
/// net's parameters and buffers. Every parameter and buffer must be present with the right
/// shape; extra keys named like unused upstream tensors (e.g. "spec.*" mel buffers,
/// "num_batches_tracked") are ignored. Errors name `source` and the first offending keys
/// (missing, unexpected, or shape mismatch with both shapes).
Result<void> loadStateDict(TaggerNet& net, const TensorMap& weights, const std::filesystem::path& source,
                           std::string_view prefix = "");

/// The net's parameters and buffers as a TensorMap (for saving in the project format).
TensorMap stateDict(TaggerNet& net);

/// A float32 host copy of any tensor (any device or dtype; detached).
HostTensor toHostTensor(const torch::Tensor& tensor);

/// A float32 CPU tensor owning a copy of `host`.
torch::Tensor fromHostTensor(const HostTensor& host);

/// Builds an architecture by name ("mtt", "cnnsa", "fcn", "musicnn", "crnn") with its
/// hyper-parameters (see each architecture's header) and number of output tags.
Result<std::shared_ptr<TaggerNet>> createNet(const std::string& architecture, const nlohmann::json& hyper,
                                             int nTags);

} // namespace tagscope::model
