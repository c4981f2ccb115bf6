// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/error.h"

namespace tagscope::io {

/// What a decoded pickle value is. Nothing is ever executed: a call (REDUCE / NEWOBJ) of a
/// global becomes a `Call` value that the caller interprets, and a persistent id (BINPERSID)
/// becomes a `PersistentId` value.
enum class PickleKind : uint8_t {
    None, Bool, Int, Float,
    BigInt,       ///< an integer wider than 64 bits; node text = little-endian two's complement bytes
    String,       ///< unicode text (UTF-8) in node text
    Bytes,        ///< byte string in node text
    Tuple, List,  ///< node items
    Dict,         ///< node entries, in insertion order (later duplicates win)
    Global,       ///< node text = "module.name"
    Call,         ///< node items = {callable, args}; SETITEM(S) go to entries, APPEND(S) to appended, BUILD to state
    PersistentId, ///< node items = {pid}
};

/// A value on the pickle stack: scalars inline, everything else an index into PickleData::nodes.
struct PickleValue {
    PickleKind kind = PickleKind::None;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0.0;
    uint32_t node = 0;
};

/// The heap part of a non-scalar value.
struct PickleNode {
    PickleKind kind = PickleKind::None;
    std::string text;
    std::vector<PickleValue> items;
    std::vector<std::pair<PickleValue, PickleValue>> entries;
    std::vector<PickleValue> appended;
    PickleValue state;
    bool hasState = false;
};

/// A decoded pickle: the object graph (possibly shared or cyclic through the memo, so walkers
/// must bound their depth) and its root value.
struct PickleData {
    std::vector<PickleNode> nodes;
    PickleValue root;

    /// The node behind `v` (only for non-scalar kinds).
    const PickleNode& node(const PickleValue& v) const { return nodes[v.node]; }
};

/// Limits that keep a hostile pickle from exhausting memory.
struct PickleLimits {
    size_t maxNodes = 2'000'000;  ///< containers, strings and calls together
    size_t maxStackDepth = 1'000'000;
};

/// Decodes one pickle (protocols 0-5 binary opcodes; no text-mode opcodes) starting at
/// `offset` in `bytes`, and advances `offset` past its STOP opcode. Unknown opcodes,
/// truncation, stack underflow, bad memo references and exceeded limits are errors naming
/// `file` and the byte position.
Result<PickleData> parsePickle(std::string_view bytes, size_t& offset, const std::filesystem::path& file,
                               const PickleLimits& limits = {});

/// Python-style name of a kind ("dict", "tuple", ...) for messages.
const char* pickleKindName(PickleKind kind);

} // namespace tagscope::io
