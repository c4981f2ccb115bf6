// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/torch_checkpoint_objects.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace tagscope::io::detail {
namespace {

constexpr int kMaxNesting = 64;         // dictionaries inside dictionaries
constexpr int kMaxRebuildNesting = 8;   // parameter(tensor(...)) wrappers
constexpr size_t kMaxDims = 64;         // torch's own limit on tensor dimensions
// NOTE: flattened keys ("encoder.layers.3.weight") are far shorter in any real file; the bound
// stops a shared long key reached through many paths from multiplying into gigabytes of keys.
constexpr size_t kMaxKeyLength = 4096;

struct StorageTypeName {
    std::string_view global;
    StorageDtype dtype;
};
constexpr std::array<StorageTypeName, 10> kStorageTypes{{
    {"torch.FloatStorage", StorageDtype::Float32}, {"torch.DoubleStorage", StorageDtype::Float64},
    {"torch.HalfStorage", StorageDtype::Float16},  {"torch.BFloat16Storage", StorageDtype::BFloat16},
    {"torch.LongStorage", StorageDtype::Int64},    {"torch.IntStorage", StorageDtype::Int32},
    {"torch.ShortStorage", StorageDtype::Int16},   {"torch.CharStorage", StorageDtype::Int8},
    {"torch.ByteStorage", StorageDtype::UInt8},    {"torch.BoolStorage", StorageDtype::Bool},
}};

// Calls of these globals are values that carry no tensor data and are skipped.
constexpr std::array<std::string_view, 4> kHarmlessCalls{
    "torch.device", "torch.Size", "builtins.set", "builtins.frozenset"};

bool isTensorRebuild(std::string_view g) {
    return g == "torch._utils._rebuild_tensor_v2" || g == "torch._utils._rebuild_tensor";
}
bool isParameterRebuild(std::string_view g) {
    return g == "torch._utils._rebuild_parameter" || g == "torch._utils._rebuild_parameter_with_state";
}
bool isTypedRebuild(std::string_view g) { return g == "torch._tensor._rebuild_from_type_v2"; }
bool isOrderedDict(std::string_view g) { return g == "collections.OrderedDict"; }

class Interpreter {
public:
    Interpreter(const PickleData& p, bool legacy, const std::filesystem::path& file)
        : m_p(p), m_legacy(legacy), m_file(file), m_budget(4 * p.nodes.size() + 1024) {}

    Result<CheckpointObjects> run(const TorchCheckpointOptions& options) {
        if (!collectStorages()) return fail(m_error);
        const PickleValue root = m_p.root;
        std::vector<std::pair<PickleValue, PickleValue>> entries;
        if (!dictEntries(root, entries))
            return fail(Error::Kind::InvalidInput, m_file,
                        std::string("the checkpoint holds a ") + describe(root) +
                            " rather than a dictionary of tensors (a state dict)");
        PickleValue start = root;
        for (const auto& [k, v] : entries) {
            std::string key;
            if (!keyText(k, key)) continue;
            m_out.topLevelKeys.push_back(key);
            std::vector<std::pair<PickleValue, PickleValue>> inner;
            if (m_out.stateDictEntry.empty() && (key == "state_dict" || key == "model") && dictEntries(v, inner))
                m_out.stateDictEntry = key;
            if (key == "state_dict" && dictEntries(v, inner)) m_out.stateDictEntry = key;
        }
        std::string entry = options.entry;
        if (entry.empty() && options.preferStateDict) entry = m_out.stateDictEntry;
        if (!entry.empty()) {
            bool found = false;
            for (const auto& [k, v] : entries) {
                std::string key;
                if (keyText(k, key) && key == entry) { start = v; found = true; }
            }
            if (!found) {
                std::string list;
                const size_t shown = std::min<size_t>(m_out.topLevelKeys.size(), 8);
                for (size_t i = 0; i < shown; ++i) list += (i ? ", " : "") + m_out.topLevelKeys[i];
                if (shown < m_out.topLevelKeys.size())
                    list += " and " + std::to_string(m_out.topLevelKeys.size() - shown) + " more";
                return fail(Error::Kind::InvalidInput, m_file,
                            "the checkpoint has no entry '" + entry + "' (it has: " + list + ")");
            }
            std::vector<std::pair<PickleValue, PickleValue>> inner;
            if (!dictEntries(start, inner))
                return fail(Error::Kind::InvalidInput, m_file,
                            "the checkpoint entry '" + entry + "' is a " + describe(start) + ", not a dictionary of tensors");
            m_out.entryRead = entry;
        }
        if (!flatten(start, "", 0)) return fail(m_error);
        return std::move(m_out);
    }

private:
    bool error(const std::string& what) {
        m_error = Error::make(Error::Kind::InvalidInput, m_file, what);
        return false;
    }
    const PickleNode& node(const PickleValue& v) const { return m_p.node(v); }
    std::string_view callee(const PickleValue& v) const {
        if (v.kind != PickleKind::Call) return {};
        const PickleValue& c = node(v).items[0];
        return c.kind == PickleKind::Global ? std::string_view(node(c).text) : std::string_view();
    }
    const std::vector<PickleValue>* argsOf(const PickleValue& call) const {
        const PickleValue& a = node(call).items[1];
        return a.kind == PickleKind::Tuple ? &node(a).items : nullptr;
    }
    std::string describe(const PickleValue& v) const {
        if (v.kind == PickleKind::Call) {
            const auto name = callee(v);
            return name.empty() ? "Python object" : "Python object '" + std::string(name) + "'";
        }
        if (v.kind == PickleKind::Global) return "reference to '" + node(v).text + "'";
        return pickleKindName(v.kind);
    }
    bool keyText(const PickleValue& k, std::string& out) const {
        if (k.kind == PickleKind::String) { out = node(k).text; return true; }
        if (k.kind == PickleKind::Int) { out = std::to_string(k.integer); return true; }
        return false;
    }
    static bool asInt(const PickleValue& v, int64_t& out) {
        if (v.kind != PickleKind::Int) return false;
        out = v.integer;
        return true;
    }
    bool intTuple(const PickleValue& v, std::vector<int64_t>& out) const {
        if (v.kind != PickleKind::Tuple && v.kind != PickleKind::List) return false;
        const auto& items = node(v).items;
        if (items.size() > kMaxDims) return false;
        out.clear();
        for (const auto& i : items) {
            if (i.kind != PickleKind::Int || i.integer < 0) return false;
            out.push_back(i.integer);
        }
        return true;
    }

    // A dict, or an OrderedDict built by REDUCE (items set afterwards or passed as pairs).
    bool dictEntries(const PickleValue& v, std::vector<std::pair<PickleValue, PickleValue>>& out) const {
        out.clear();
        if (v.kind == PickleKind::Dict) { out = node(v).entries; return true; }
        if (!isOrderedDict(callee(v))) return false;
        const auto* args = argsOf(v);
        if (args && !args->empty()) {
            const PickleValue& pairs = (*args)[0];
            if (pairs.kind != PickleKind::List && pairs.kind != PickleKind::Tuple) return false;
            for (const auto& p : node(pairs).items) {
                if (p.kind != PickleKind::Tuple || node(p).items.size() != 2) return false;
                out.emplace_back(node(p).items[0], node(p).items[1]);
            }
        }
        const auto& set = node(v).entries;
        out.insert(out.end(), set.begin(), set.end());
        return true;
    }

    // Reads every persistent id: ('storage', type, key, location, numel[, view]).
    bool collectStorages() {
        for (size_t i = 0; i < m_p.nodes.size(); ++i) {
            if (m_p.nodes[i].kind != PickleKind::PersistentId) continue;
            const PickleValue v{PickleKind::PersistentId, false, 0, 0.0, uint32_t(i)};
            std::string key;
            StorageDecl decl;
            int64_t viewOffset = 0;
            if (!parseStorageId(v, key, decl, viewOffset)) return false;
            const auto [it, inserted] = m_out.storages.emplace(key, decl);
            if (!inserted && (it->second.dtype != decl.dtype || it->second.numel != decl.numel))
                return error("storage '" + key + "' is declared twice with different types or sizes");
        }
        return true;
    }

    bool parseStorageId(const PickleValue& pidValue, std::string& key, StorageDecl& decl, int64_t& viewOffset) {
        const PickleValue& pid = node(pidValue).items[0];
        const std::string bad = "unexpected persistent id in the pickle (not a torch storage reference)";
        if (pid.kind != PickleKind::Tuple) return error(bad);
        const auto& f = node(pid).items;
        if (f.size() < 5 || f[0].kind != PickleKind::String || node(f[0]).text != "storage") {
            if (f.size() >= 1 && f[0].kind == PickleKind::String && node(f[0]).text == "module")
                return error("the checkpoint contains a pickled Python module, not a state dict; save "
                             "model.state_dict() instead");
            return error(bad);
        }
        if (f[1].kind != PickleKind::Global) return error(bad);
        const std::string& type = node(f[1]).text;
        const auto it = std::find_if(kStorageTypes.begin(), kStorageTypes.end(),
                                     [&](const StorageTypeName& s) { return s.global == type; });
        if (it == kStorageTypes.end()) return error("unsupported storage type '" + type + "'");
        decl.dtype = it->dtype;
        if (!keyText(f[2], key) || !asInt(f[4], decl.numel) || decl.numel < 0) return error(bad);
        viewOffset = 0;
        if (m_legacy && f.size() >= 6 && f[5].kind != PickleKind::None) {
            // (view_key, offset, view_size): a view into the root storage `key`.
            if (f[5].kind != PickleKind::Tuple || node(f[5]).items.size() != 3) return error(bad);
            if (!asInt(node(f[5]).items[1], viewOffset) || viewOffset < 0) return error(bad);
        }
        return true;
    }

    bool rebuildTensor(const PickleValue& call, int depth, TensorDecl& out) {
        if (depth > kMaxRebuildNesting) return error("tensor rebuild calls are nested too deeply");
        const std::string_view name = callee(call);
        const auto* args = argsOf(call);
        if (!args) return error("call of '" + std::string(name) + "' without an argument tuple");
        if (isParameterRebuild(name)) {
            if (args->empty() || (*args)[0].kind != PickleKind::Call) return error("malformed parameter in the pickle");
            return rebuildTensor((*args)[0], depth + 1, out);
        }
        if (isTypedRebuild(name)) {
            // _rebuild_from_type_v2(func, type, args, state) calls func(*args).
            if (args->size() < 3 || (*args)[0].kind != PickleKind::Global || (*args)[2].kind != PickleKind::Tuple)
                return error("malformed tensor subclass in the pickle");
            const std::string& inner = node((*args)[0]).text;
            if (!isTensorRebuild(inner) && !isParameterRebuild(inner))
                return error("unsupported tensor rebuild function '" + inner + "'");
            return rebuildTensorArgs(inner, node((*args)[2]).items, depth + 1, out);
        }
        return rebuildTensorArgs(std::string(name), *args, depth, out);
    }

    bool rebuildTensorArgs(const std::string& name, const std::vector<PickleValue>& a, int depth, TensorDecl& out) {
        if (isParameterRebuild(name)) {
            if (a.empty() || a[0].kind != PickleKind::Call) return error("malformed parameter in the pickle");
            return rebuildTensor(a[0], depth + 1, out);
        }
        // (storage, storage_offset, size, stride, ...)
        if (a.size() < 4 || a[0].kind != PickleKind::PersistentId)
            return error("malformed tensor in the pickle (expected storage, offset, size, stride)");
        StorageDecl decl;
        int64_t viewOffset = 0;
        if (!parseStorageId(a[0], out.storageKey, decl, viewOffset)) return false;
        if (!asInt(a[1], out.storageOffset) || out.storageOffset < 0 || !intTuple(a[2], out.shape) ||
            !intTuple(a[3], out.stride) || out.shape.size() != out.stride.size())
            return error("malformed tensor in the pickle (bad offset, size or stride)");
        if (__builtin_add_overflow(out.storageOffset, viewOffset, &out.storageOffset))
            return error("malformed tensor in the pickle (its storage offset overflows)");
        return true;
    }

    bool flatten(const PickleValue& v, const std::string& prefix, int depth) {
        if (m_budget-- == 0) return error("the pickle has too many shared references to read safely");
        if (depth > kMaxNesting) return error("dictionaries are nested too deeply (more than 64 levels)");
        std::vector<std::pair<PickleValue, PickleValue>> entries;
        if (dictEntries(v, entries)) {
            for (const auto& [k, child] : entries) {
                std::string key;
                if (!keyText(k, key)) return error("a dictionary key at '" + prefix + "' is a " + describe(k) + ", not a name");
                if (prefix.size() + key.size() > kMaxKeyLength)
                    return error("a dictionary key at '" + prefix.substr(0, 64) + "' is implausibly long");
                if (!flattenChild(child, prefix + key, depth)) return false;
            }
            return true;
        }
        if (v.kind == PickleKind::List || v.kind == PickleKind::Tuple) {
            const auto& items = node(v).items;
            for (size_t i = 0; i < items.size(); ++i)
                if (!flattenChild(items[i], prefix + std::to_string(i), depth)) return false;
        }
        return true;
    }

    bool flattenChild(const PickleValue& child, const std::string& key, int depth) {
        const std::string_view name = callee(child);
        if (isTensorRebuild(name) || isParameterRebuild(name) || isTypedRebuild(name)) {
            TensorDecl t;
            if (!rebuildTensor(child, 0, t)) return false;
            m_out.tensors.emplace_back(key, std::move(t));
            return true;
        }
        if (child.kind == PickleKind::Call && !isOrderedDict(name) &&
            std::find(kHarmlessCalls.begin(), kHarmlessCalls.end(), name) == kHarmlessCalls.end())
            return error("unsupported " + describe(child) + " at '" + key +
                         "' (only tensors, dictionaries and plain values can be read)");
        if (child.kind == PickleKind::PersistentId) return error("a bare storage at '" + key + "' is not supported");
        return flatten(child, key + ".", depth + 1);
    }

    const PickleData& m_p;
    bool m_legacy;
    const std::filesystem::path& m_file;
    size_t m_budget;
    CheckpointObjects m_out;
    Error m_error;
};

} // namespace

size_t storageElementSize(StorageDtype dtype) {
    switch (dtype) {
    case StorageDtype::Float64:
    case StorageDtype::Int64: return 8;
    case StorageDtype::Float32:
    case StorageDtype::Int32: return 4;
    case StorageDtype::Float16:
    case StorageDtype::BFloat16:
    case StorageDtype::Int16: return 2;
    case StorageDtype::Int8:
    case StorageDtype::UInt8:
    case StorageDtype::Bool: return 1;
    }
    return 1;
}

Result<CheckpointObjects> interpretCheckpointPickle(const PickleData& pickle, bool legacy,
                                                    const TorchCheckpointOptions& options,
                                                    const std::filesystem::path& file) {
    Interpreter interpreter(pickle, legacy, file);
    return interpreter.run(options);
}

} // namespace tagscope::io::detail
