// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/surrogate/tree_codec.h"

#include <bit>
#include <cstdint>
#include <cstring>

namespace tagscope::surrogate {
namespace {

using nlohmann::json;
constexpr int kMaxDepth = 8;
constexpr int32_t kRootParent = 2147483647;  // XGBoost writes the root's parent as INT32_MAX

tl::unexpected<Error> bad(const std::string& reason) {
    return fail(Error::Kind::InvalidInput, {}, "surrogate model: " + reason);
}

void putFloat(std::string& out, float v) {
    static_assert(std::endian::native == std::endian::little);
    char bytes[4];
    std::memcpy(bytes, &v, 4);
    out.append(bytes, 4);
}

struct Reader {
    const std::string& data;
    size_t pos = 0;
    bool ok = true;
    uint8_t byte() {
        if (pos + 1 > data.size()) return ok = false, 0;
        return uint8_t(data[pos++]);
    }
    float f32() {
        if (pos + 4 > data.size()) return ok = false, 0.0f;
        float v;
        std::memcpy(&v, data.data() + pos, 4);
        pos += 4;
        return v;
    }
};

size_t slotCount(int depth) { return (size_t(1) << (depth + 1)) - 1; }

/// One tree in XGBoost's JSON form, built node by node.
struct TreeArrays {
    std::vector<int> left, right, parents, splitIndices;
    std::vector<float> conditions, hessians;
    std::vector<int> defaultLeft;
    int add(int parent) {
        left.push_back(-1), right.push_back(-1), parents.push_back(parent), splitIndices.push_back(0);
        conditions.push_back(0.0f), hessians.push_back(0.0f), defaultLeft.push_back(0);
        return int(left.size()) - 1;
    }
};

json treeJson(const TreeArrays& t, int id, int numFeature) {
    const size_t n = t.left.size();
    std::vector<float> baseWeights(n, 0.0f);
    for (size_t i = 0; i < n; ++i)
        if (t.left[i] == -1) baseWeights[i] = t.conditions[i];
    return json{{"base_weights", baseWeights},
                {"categories", json::array()},
                {"categories_nodes", json::array()},
                {"categories_segments", json::array()},
                {"categories_sizes", json::array()},
                {"default_left", t.defaultLeft},
                {"id", id},
                {"left_children", t.left},
                {"loss_changes", std::vector<float>(n, 0.0f)},
                {"parents", t.parents},
                {"right_children", t.right},
                {"split_conditions", t.conditions},
                {"split_indices", t.splitIndices},
                {"split_type", std::vector<int>(n, 0)},
                {"sum_hessian", t.hessians},
                {"tree_param", {{"num_deleted", "0"}, {"num_feature", std::to_string(numFeature)},
                                {"num_nodes", std::to_string(n)}, {"size_leaf_vector", "0"}}}};
}

} // namespace

std::string base64Encode(const std::string& bytes) {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const uint32_t a = uint8_t(bytes[i]);
        const uint32_t b = i + 1 < bytes.size() ? uint8_t(bytes[i + 1]) : 0;
        const uint32_t c = i + 2 < bytes.size() ? uint8_t(bytes[i + 2]) : 0;
        const uint32_t v = (a << 16) | (b << 8) | c;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? alphabet[(v >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? alphabet[v & 63] : '=';
    }
    return out;
}

Result<std::string> base64Decode(const std::string& text) {
    if (text.size() % 4 != 0) return bad("packed trees have a bad length");
    auto value = [](char ch) -> int {
        if (ch >= 'A' && ch <= 'Z') return ch - 'A';
        if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
        if (ch >= '0' && ch <= '9') return ch - '0' + 52;
        if (ch == '+') return 62;
        if (ch == '/') return 63;
        return -1;
    };
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            const char ch = text[i + k];
            if (ch == '=' && i + 4 == text.size() && k >= 2) { v[k] = 0, ++pad; continue; }
            if (pad || (v[k] = value(ch)) < 0) return bad("packed trees are not valid base64");
        }
        const uint32_t bits = uint32_t(v[0]) << 18 | uint32_t(v[1]) << 12 | uint32_t(v[2]) << 6 | uint32_t(v[3]);
        out += char((bits >> 16) & 255);
        if (pad < 2) out += char((bits >> 8) & 255);
        if (pad < 1) out += char(bits & 255);
    }
    return out;
}

Result<json> packBooster(const std::string& xgboostJson) {
    try {
        const json model = json::parse(xgboostJson);
        const json& learner = model.at("learner");
        const int numFeature = std::stoi(learner.at("learner_model_param").at("num_feature").get<std::string>());
        const float baseScore = std::stof(learner.at("learner_model_param").at("base_score").get<std::string>());
        const json& trees = learner.at("gradient_booster").at("model").at("trees");
        std::string bytes;
        int maxDepth = 0;
        // First pass: depth of the deepest tree, so every tree uses the same slot layout.
        std::vector<std::vector<int>> slotsOfTrees;
        for (const json& tree : trees) {
            const auto left = tree.at("left_children").get<std::vector<int>>();
            const auto right = tree.at("right_children").get<std::vector<int>>();
            std::vector<int> slot(left.size(), -1), depth(left.size(), 0);
            slot[0] = 0;
            for (size_t i = 0; i < left.size(); ++i) {  // children always follow their parent
                if (slot[i] < 0) return bad("a tree has an unreachable node");
                if (left[i] == -1) continue;
                if (size_t(left[i]) >= left.size() || size_t(right[i]) >= left.size() || left[i] <= int(i))
                    return bad("a tree has a malformed node");
                slot[left[i]] = 2 * slot[i] + 1, slot[right[i]] = 2 * slot[i] + 2;
                depth[left[i]] = depth[right[i]] = depth[i] + 1;
                maxDepth = std::max(maxDepth, depth[i] + 1);
            }
            if (maxDepth > kMaxDepth) return bad("trees deeper than 8 levels cannot be packed");
            slotsOfTrees.push_back(std::move(slot));
        }
        const size_t slots = slotCount(maxDepth);
        const size_t maskBytes = (slots + 7) / 8;
        const bool wideFeature = numFeature > 256;
        for (size_t t = 0; t < trees.size(); ++t) {
            const json& tree = trees[t];
            const auto left = tree.at("left_children").get<std::vector<int>>();
            const auto index = tree.at("split_indices").get<std::vector<int>>();
            const auto cond = tree.at("split_conditions").get<std::vector<float>>();
            const auto hess = tree.at("sum_hessian").get<std::vector<float>>();
            const auto dleft = tree.at("default_left").get<std::vector<int>>();
            std::vector<int> nodeAtSlot(slots, -1);
            for (size_t i = 0; i < left.size(); ++i) nodeAtSlot[slotsOfTrees[t][i]] = int(i);
            std::string splitMask(maskBytes, '\0'), leftMask(maskBytes, '\0'), body;
            for (size_t s = 0; s < slots; ++s) {
                const int i = nodeAtSlot[s];
                if (i < 0) continue;
                if (left[i] != -1) {
                    splitMask[s / 8] = char(uint8_t(splitMask[s / 8]) | (1u << (s % 8)));
                    if (dleft[i]) leftMask[s / 8] = char(uint8_t(leftMask[s / 8]) | (1u << (s % 8)));
                    body += char(index[i] & 255);
                    if (wideFeature) body += char((index[i] >> 8) & 255);
                }
                putFloat(body, cond[i]);
                // NOTE: a split node's cover is the sum of its children's, so only leaves store it.
                if (left[i] == -1) putFloat(body, hess[i]);
            }
            bytes += splitMask + leftMask + body;
        }
        return json{{"objective", learner.at("objective").at("name")},
                    {"base_score", baseScore},
                    {"num_feature", numFeature},
                    {"max_depth", maxDepth},
                    {"num_trees", trees.size()},
                    {"trees", base64Encode(bytes)}};
    } catch (const std::exception& e) {
        return bad(std::string("cannot read XGBoost's model text (") + e.what() + ")");
    }
}

Result<std::string> unpackBooster(const json& packed) {
    try {
        const std::string objective = packed.at("objective").get<std::string>();
        const float baseScore = packed.at("base_score").get<float>();
        const int numFeature = packed.at("num_feature").get<int>();
        const int maxDepth = packed.at("max_depth").get<int>();
        const int numTrees = packed.at("num_trees").get<int>();
        if (numFeature <= 0 || maxDepth < 0 || maxDepth > kMaxDepth || numTrees < 0)
            return bad("a booster has impossible sizes");
        if (objective != "reg:squarederror" && objective != "binary:logistic")
            return bad("unsupported objective '" + objective + "'");
        auto bytes = base64Decode(packed.at("trees").get<std::string>());
        if (!bytes) return fail(bytes.error());
        const size_t slots = slotCount(maxDepth);
        const size_t maskBytes = (slots + 7) / 8;
        const bool wideFeature = numFeature > 256;
        Reader in{*bytes};
        json trees = json::array();
        for (int t = 0; t < numTrees; ++t) {
            std::string splitMask(maskBytes, '\0'), leftMask(maskBytes, '\0');
            for (auto& b : splitMask) b = char(in.byte());
            for (auto& b : leftMask) b = char(in.byte());
            auto isSet = [](const std::string& mask, size_t s) { return (uint8_t(mask[s / 8]) >> (s % 8)) & 1u; };
            TreeArrays tree;
            std::vector<int> nodeAtSlot(slots, -1);
            nodeAtSlot[0] = tree.add(kRootParent);
            for (size_t s = 0; s < slots && in.ok; ++s) {
                const int i = nodeAtSlot[s];
                if (i < 0) continue;
                if (isSet(splitMask, s)) {
                    if (2 * s + 2 >= slots) return bad("a packed tree is deeper than its booster says");
                    int feature = in.byte();
                    if (wideFeature) feature |= int(in.byte()) << 8;
                    if (feature >= numFeature) return bad("a packed tree splits on a feature it does not have");
                    tree.splitIndices[i] = feature;
                    tree.defaultLeft[i] = int(isSet(leftMask, s));
                    const int l = tree.add(i), r = tree.add(i);
                    tree.left[i] = l, tree.right[i] = r;
                    nodeAtSlot[2 * s + 1] = l, nodeAtSlot[2 * s + 2] = r;
                }
                tree.conditions[i] = in.f32();
                if (tree.left[i] == -1) tree.hessians[i] = in.f32();
            }
            if (!in.ok) return bad("the packed trees are truncated");
            for (size_t i = tree.left.size(); i-- > 0;)  // children come after their parent
                if (tree.left[i] != -1) tree.hessians[i] = tree.hessians[tree.left[i]] + tree.hessians[tree.right[i]];
            trees.push_back(treeJson(tree, t, numFeature));
        }
        if (in.pos != bytes->size()) return bad("the packed trees have trailing bytes");
        // NOTE: 9 significant digits round-trip any float32. XGBoost 1.7 cannot read more: a
        // base score written as "3.500000070E-03" silently became its default 0.5 on load.
        char base[32];
        std::snprintf(base, sizeof base, "%.9g", double(baseScore));
        json objectiveJson = objective == "binary:logistic"
                                 ? json{{"name", objective}, {"reg_loss_param", {{"scale_pos_weight", "1"}}}}
                                 : json{{"name", objective}, {"reg_loss_param", {{"scale_pos_weight", "1"}}}};
        // NOTE: boost_from_average "0" as XGBoost writes it: the base score is the trained one.
        json model = {
            {"learner",
             {{"attributes", json::object()},
              {"feature_names", json::array()},
              {"feature_types", json::array()},
              {"gradient_booster",
               {{"model",
                 {{"gbtree_model_param", {{"num_parallel_tree", "1"}, {"num_trees", std::to_string(numTrees)}}},
                  {"tree_info", std::vector<int>(size_t(numTrees), 0)},
                  {"trees", trees}}},
                {"name", "gbtree"}}},
              {"learner_model_param",
               {{"base_score", base}, {"boost_from_average", "0"}, {"num_class", "0"},
                {"num_feature", std::to_string(numFeature)}, {"num_target", "1"}}},
              {"objective", objectiveJson}}},
            {"version", {1, 7, 4}}};
        return model.dump();
    } catch (const std::exception& e) {
        return bad(std::string("a packed booster is incomplete (") + e.what() + ")");
    }
}

} // namespace tagscope::surrogate
