// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/pickle_reader.h"

#include <bit>
#include <cstring>
#include <unordered_map>

namespace tagscope::io {
namespace {

// Pickle opcodes (CPython Lib/pickle.py).
enum Op : uint8_t {
    kMark = '(', kStop = '.', kPop = '0', kPopMark = '1', kDup = '2', kBinFloat = 'G', kBinInt = 'J',
    kBinInt1 = 'K', kBinInt2 = 'M', kNone = 'N', kBinPersId = 'Q', kReduce = 'R', kBinString = 'T',
    kShortBinString = 'U', kBinUnicode = 'X', kAppend = 'a', kBuild = 'b', kGlobal = 'c', kDict = 'd',
    kEmptyDict = '}', kAppends = 'e', kBinGet = 'h', kLongBinGet = 'j', kList = 'l', kEmptyList = ']',
    kBinPut = 'q', kLongBinPut = 'r', kSetItem = 's', kTuple = 't', kEmptyTuple = ')', kSetItems = 'u',
    kBinBytes = 'B', kShortBinBytes = 'C',
    kProto = 0x80, kNewObj = 0x81, kTuple1 = 0x85, kTuple2 = 0x86, kTuple3 = 0x87, kNewTrue = 0x88,
    kNewFalse = 0x89, kLong1 = 0x8a, kLong4 = 0x8b, kShortBinUnicode = 0x8c, kBinUnicode8 = 0x8d,
    kBinBytes8 = 0x8e, kEmptySet = 0x8f, kAddItems = 0x90, kFrozenSet = 0x91, kNewObjEx = 0x92,
    kStackGlobal = 0x93, kMemoize = 0x94, kFrame = 0x95,
};

constexpr size_t kMaxGlobalNameLength = 1024;

bool isHeapKind(PickleKind k) {
    return k != PickleKind::None && k != PickleKind::Bool && k != PickleKind::Int && k != PickleKind::Float;
}

// One run of the pickle virtual machine. Every read is bounds-checked against the buffer.
class PickleMachine {
public:
    PickleMachine(std::string_view bytes, size_t offset, const std::filesystem::path& file, const PickleLimits& limits)
        : m_bytes(bytes), m_pos(offset), m_file(file), m_limits(limits) {}

    Result<PickleData> run(size_t& endOffset) {
        while (true) {
            m_opStart = m_pos;
            uint8_t op = 0;
            if (!readU8(op)) return fail(m_error);
            if (op == kStop) {
                PickleValue root;
                if (!pop(root)) return fail(m_error);
                endOffset = m_pos;
                m_data.root = root;
                return std::move(m_data);
            }
            if (!step(op)) return fail(m_error);
        }
    }

private:
    bool error(const std::string& what) {
        m_error = Error::make(Error::Kind::InvalidInput, m_file,
                              "unreadable pickle data at byte " + std::to_string(m_opStart) + ": " + what);
        return false;
    }

    bool need(uint64_t n) {
        if (n > m_bytes.size() - m_pos) return error("data ends too early (the file is truncated or damaged)");
        return true;
    }
    bool readU8(uint8_t& v) {
        if (!need(1)) return false;
        v = uint8_t(m_bytes[m_pos++]);
        return true;
    }
    bool readLe(uint64_t& v, int n) {
        if (!need(uint64_t(n))) return false;
        v = 0;
        for (int i = 0; i < n; ++i) v |= uint64_t(uint8_t(m_bytes[m_pos + size_t(i)])) << (8 * i);
        m_pos += size_t(n);
        return true;
    }
    bool readRaw(uint64_t n, std::string& out) {
        if (!need(n)) return false;
        out.assign(m_bytes.substr(m_pos, size_t(n)));
        m_pos += size_t(n);
        return true;
    }

    bool push(const PickleValue& v) {
        if (m_stack.size() >= m_limits.maxStackDepth) return error("the pickle stack grows beyond its limit");
        m_stack.push_back(v);
        return true;
    }
    bool pop(PickleValue& v) {
        if (m_stack.size() <= (m_marks.empty() ? 0 : m_marks.back())) return error("stack underflow");
        v = m_stack.back();
        m_stack.pop_back();
        return true;
    }
    bool top(PickleValue*& v) {
        if (m_stack.size() <= (m_marks.empty() ? 0 : m_marks.back())) return error("stack underflow");
        v = &m_stack.back();
        return true;
    }
    bool popMark(std::vector<PickleValue>& items) {
        if (m_marks.empty()) return error("MARK expected but not found");
        const size_t m = m_marks.back();
        m_marks.pop_back();
        items.assign(m_stack.begin() + std::ptrdiff_t(m), m_stack.end());
        m_stack.resize(m);
        return true;
    }
    bool newNode(PickleKind kind, PickleValue& v) {
        if (m_data.nodes.size() >= m_limits.maxNodes) return error("too many objects in the pickle");
        v = PickleValue{kind, false, 0, 0.0, uint32_t(m_data.nodes.size())};
        m_data.nodes.emplace_back().kind = kind;
        return true;
    }
    PickleNode& nodeOf(const PickleValue& v) { return m_data.nodes[v.node]; }

    bool pushText(PickleKind kind, uint64_t length) {
        PickleValue v;
        if (!need(length) || !newNode(kind, v) || !readRaw(length, nodeOf(v).text)) return false;
        return push(v);
    }
    bool pushSequence(PickleKind kind, std::vector<PickleValue> items) {
        PickleValue v;
        if (!newNode(kind, v)) return false;
        nodeOf(v).items = std::move(items);
        return push(v);
    }
    bool pushTupleOf(int n) {
        if (m_stack.size() < size_t(n) + (m_marks.empty() ? 0 : m_marks.back())) return error("stack underflow");
        std::vector<PickleValue> items(m_stack.end() - n, m_stack.end());
        m_stack.resize(m_stack.size() - size_t(n));
        return pushSequence(PickleKind::Tuple, std::move(items));
    }
    bool pushInt(int64_t i) { return push(PickleValue{PickleKind::Int, false, i, 0.0, 0}); }
    bool pushLong(uint64_t n) {
        std::string raw;
        if (!readRaw(n, raw)) return false;
        if (n <= 8) {
            uint64_t u = 0;
            for (size_t i = 0; i < n; ++i) u |= uint64_t(uint8_t(raw[i])) << (8 * i);
            if (n > 0 && n < 8 && (uint8_t(raw[n - 1]) & 0x80)) u |= ~uint64_t(0) << (8 * n); // sign-extend
            return pushInt(std::bit_cast<int64_t>(u));
        }
        PickleValue v;
        if (!newNode(PickleKind::BigInt, v)) return false;
        nodeOf(v).text = std::move(raw);
        return push(v);
    }
    bool pushCall(PickleValue callable, PickleValue args) {
        PickleValue v;
        if (!newNode(PickleKind::Call, v)) return false;
        nodeOf(v).items = {callable, args};
        return push(v);
    }
    bool pushGlobal(std::string module, std::string name) {
        PickleValue v;
        if (!newNode(PickleKind::Global, v)) return false;
        nodeOf(v).text = module + "." + name;
        return push(v);
    }
    bool readLine(std::string& out) {
        const size_t length = m_bytes.substr(m_pos, kMaxGlobalNameLength + 1).find('\n');
        if (length == std::string_view::npos) return error("malformed GLOBAL name");
        out.assign(m_bytes.substr(m_pos, length));
        m_pos += length + 1;
        return true;
    }

    bool addItems(PickleValue target, std::vector<PickleValue>&& items) {
        if (target.kind == PickleKind::List) {
            auto& dst = nodeOf(target).items;
            dst.insert(dst.end(), items.begin(), items.end());
        } else if (target.kind == PickleKind::Call) {
            auto& dst = nodeOf(target).appended;
            dst.insert(dst.end(), items.begin(), items.end());
        } else {
            return error(std::string("cannot append to a ") + pickleKindName(target.kind));
        }
        return true;
    }
    bool setItems(PickleValue target, const std::vector<PickleValue>& kv) {
        if (kv.size() % 2 != 0) return error("odd number of items for a dictionary");
        if (target.kind != PickleKind::Dict && target.kind != PickleKind::Call)
            return error(std::string("cannot set items on a ") + pickleKindName(target.kind));
        auto& dst = nodeOf(target).entries;
        for (size_t i = 0; i < kv.size(); i += 2) dst.emplace_back(kv[i], kv[i + 1]);
        return true;
    }
    bool memoPut(uint64_t index) {
        PickleValue* v = nullptr;
        if (!top(v)) return false;
        if (m_memo.size() >= m_limits.maxNodes && !m_memo.count(index)) return error("memo grows beyond its limit");
        m_memo[index] = *v;
        return true;
    }
    bool memoGet(uint64_t index) {
        const auto it = m_memo.find(index);
        if (it == m_memo.end()) return error("reference to an unknown memo entry " + std::to_string(index));
        return push(it->second);
    }

    bool step(uint8_t op);

    std::string_view m_bytes;
    size_t m_pos;
    size_t m_opStart = 0;
    const std::filesystem::path& m_file;
    PickleLimits m_limits;
    PickleData m_data;
    std::vector<PickleValue> m_stack;
    std::vector<size_t> m_marks;
    std::unordered_map<uint64_t, PickleValue> m_memo;
    Error m_error;
};

bool PickleMachine::step(uint8_t op) {
    uint64_t u = 0;
    uint8_t b = 0;
    PickleValue a, c;
    PickleValue* t = nullptr;
    std::vector<PickleValue> items;
    switch (op) {
    case kProto: return readU8(b);
    case kFrame: return readLe(u, 8);
    case kMark: m_marks.push_back(m_stack.size()); return true;
    case kPop: return pop(a);
    case kPopMark: return popMark(items);
    case kDup: return top(t) && push(*t);
    case kNone: return push(PickleValue{});
    case kNewTrue: return push(PickleValue{PickleKind::Bool, true, 1, 0.0, 0});
    case kNewFalse: return push(PickleValue{PickleKind::Bool, false, 0, 0.0, 0});
    case kBinInt: return readLe(u, 4) && pushInt(int64_t(int32_t(uint32_t(u))));
    case kBinInt1: return readLe(u, 1) && pushInt(int64_t(u));
    case kBinInt2: return readLe(u, 2) && pushInt(int64_t(u));
    case kLong1: return readLe(u, 1) && pushLong(u);
    case kLong4: return readLe(u, 4) && pushLong(uint64_t(int32_t(uint32_t(u)) < 0 ? ~uint64_t(0) : u));
    case kBinFloat: {
        if (!readLe(u, 8)) return false;
        uint64_t bigEndian = 0; // BINFLOAT is stored big-endian
        for (int i = 0; i < 8; ++i) bigEndian = (bigEndian << 8) | ((u >> (8 * i)) & 0xffu);
        return push(PickleValue{PickleKind::Float, false, 0, std::bit_cast<double>(bigEndian), 0});
    }
    case kShortBinString: return readLe(u, 1) && pushText(PickleKind::String, u);
    case kBinString: return readLe(u, 4) && pushText(PickleKind::String, int32_t(uint32_t(u)) < 0 ? ~uint64_t(0) : u);
    case kShortBinUnicode: return readLe(u, 1) && pushText(PickleKind::String, u);
    case kBinUnicode: return readLe(u, 4) && pushText(PickleKind::String, u);
    case kBinUnicode8: return readLe(u, 8) && pushText(PickleKind::String, u);
    case kShortBinBytes: return readLe(u, 1) && pushText(PickleKind::Bytes, u);
    case kBinBytes: return readLe(u, 4) && pushText(PickleKind::Bytes, u);
    case kBinBytes8: return readLe(u, 8) && pushText(PickleKind::Bytes, u);
    case kEmptyTuple: return pushSequence(PickleKind::Tuple, {});
    case kTuple1: return pushTupleOf(1);
    case kTuple2: return pushTupleOf(2);
    case kTuple3: return pushTupleOf(3);
    case kTuple: return popMark(items) && pushSequence(PickleKind::Tuple, std::move(items));
    case kEmptyList: return pushSequence(PickleKind::List, {});
    case kEmptySet: return pushSequence(PickleKind::List, {});
    case kList: return popMark(items) && pushSequence(PickleKind::List, std::move(items));
    case kFrozenSet: return popMark(items) && pushSequence(PickleKind::List, std::move(items));
    case kEmptyDict: return newNode(PickleKind::Dict, a) && push(a);
    case kDict: return popMark(items) && newNode(PickleKind::Dict, a) && setItems(a, items) && push(a);
    case kAppend: return pop(a) && top(t) && addItems(*t, {a});
    case kAppends:
    case kAddItems: return popMark(items) && top(t) && addItems(*t, std::move(items));
    case kSetItem: return pop(c) && pop(a) && top(t) && setItems(*t, {a, c});
    case kSetItems: return popMark(items) && top(t) && setItems(*t, items);
    case kGlobal: {
        std::string module, name;
        return readLine(module) && readLine(name) && pushGlobal(std::move(module), std::move(name));
    }
    case kStackGlobal: {
        if (!pop(c) || !pop(a)) return false;
        if (a.kind != PickleKind::String || c.kind != PickleKind::String) return error("STACK_GLOBAL needs two strings");
        return pushGlobal(nodeOf(a).text, nodeOf(c).text);
    }
    case kReduce:
    case kNewObj: return pop(c) && pop(a) && pushCall(a, c);
    case kNewObjEx: return pop(c) && pop(c) && pop(a) && pushCall(a, c); // keyword arguments dropped
    case kBuild: {
        if (!pop(c) || !top(t)) return false;
        if (!isHeapKind(t->kind)) return error(std::string("BUILD on a ") + pickleKindName(t->kind));
        nodeOf(*t).state = c;
        nodeOf(*t).hasState = true;
        return true;
    }
    case kBinPersId: {
        if (!pop(a) || !newNode(PickleKind::PersistentId, c)) return false;
        nodeOf(c).items = {a};
        return push(c);
    }
    case kBinPut: return readLe(u, 1) && memoPut(u);
    case kLongBinPut: return readLe(u, 4) && memoPut(u);
    case kMemoize: return memoPut(m_memo.size());
    case kBinGet: return readLe(u, 1) && memoGet(u);
    case kLongBinGet: return readLe(u, 4) && memoGet(u);
    default: {
        static const char* hex = "0123456789abcdef";
        return error(std::string("unsupported opcode 0x") + hex[op >> 4] + hex[op & 15]);
    }
    }
}

} // namespace

const char* pickleKindName(PickleKind kind) {
    switch (kind) {
    case PickleKind::None: return "None";
    case PickleKind::Bool: return "bool";
    case PickleKind::Int: return "int";
    case PickleKind::Float: return "float";
    case PickleKind::BigInt: return "big int";
    case PickleKind::String: return "str";
    case PickleKind::Bytes: return "bytes";
    case PickleKind::Tuple: return "tuple";
    case PickleKind::List: return "list";
    case PickleKind::Dict: return "dict";
    case PickleKind::Global: return "global";
    case PickleKind::Call: return "object";
    case PickleKind::PersistentId: return "persistent id";
    }
    return "value";
}

Result<PickleData> parsePickle(std::string_view bytes, size_t& offset, const std::filesystem::path& file,
                               const PickleLimits& limits) {
    if (offset >= bytes.size())
        return fail(Error::Kind::InvalidInput, file, "pickle data expected at byte " + std::to_string(offset) +
                                                         " but the file ends there (truncated?)");
    PickleMachine vm(bytes, offset, file, limits);
    return vm.run(offset);
}

} // namespace tagscope::io
