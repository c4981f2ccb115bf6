// SPDX-License-Identifier: GPL-3.0-or-later
// Builds small torch.save files byte by byte (pickle opcodes, stored zip, legacy framing) so
// the checkpoint reader can be tested on layouts and failures without Python or torch.
// NOTE: the layouts follow torch/serialization.py (torch 1.13); at development time files built
// here were loaded with torch.load to confirm they are what torch writes and reads.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace tagscope::test {

/// Appends pickle opcodes (protocol 2) to a byte string.
class PickleBuilder {
public:
    PickleBuilder& proto() { return op(0x80).byte(2); }
    PickleBuilder& stop() { return op('.'); }
    PickleBuilder& mark() { return op('('); }
    PickleBuilder& none() { return op('N'); }
    PickleBuilder& boolean(bool b) { return op(b ? 0x88 : 0x89); }
    PickleBuilder& emptyDict() { return op('}'); }
    PickleBuilder& emptyList() { return op(']'); }
    PickleBuilder& emptyTuple() { return op(')'); }
    PickleBuilder& tuple() { return op('t'); }
    PickleBuilder& tuple1() { return op(0x85); }
    PickleBuilder& list() { return op('l'); }
    PickleBuilder& append() { return op('a'); }
    PickleBuilder& setItem() { return op('s'); }
    PickleBuilder& setItems() { return op('u'); }
    PickleBuilder& reduce() { return op('R'); }
    PickleBuilder& build() { return op('b'); }
    PickleBuilder& persId() { return op('Q'); }
    PickleBuilder& put(uint8_t i) { return op('q').byte(i); }
    PickleBuilder& get(uint8_t i) { return op('h').byte(i); }
    PickleBuilder& integer(int64_t v) {
        if (v >= 0 && v < 256) return op('K').byte(uint8_t(v));
        if (v >= INT32_MIN && v <= INT32_MAX) return op('J').le(uint64_t(v), 4);
        return op(0x8a).byte(8).le(uint64_t(v), 8);
    }
    PickleBuilder& text(const std::string& s) { op('X').le(s.size(), 4); m_bytes += s; return *this; }
    PickleBuilder& global(const std::string& module, const std::string& name) {
        op('c');
        m_bytes += module + "\n" + name + "\n";
        return *this;
    }
    PickleBuilder& intTuple(const std::vector<int64_t>& v) {
        mark();
        for (auto x : v) integer(x);
        return tuple();
    }
    PickleBuilder& raw(const std::string& bytes) { m_bytes += bytes; return *this; }
    PickleBuilder& op(uint8_t o) { return byte(o); }
    PickleBuilder& byte(uint8_t b) { m_bytes += char(b); return *this; }
    PickleBuilder& le(uint64_t v, int n) {
        for (int i = 0; i < n; ++i) m_bytes += char((v >> (8 * i)) & 0xff);
        return *this;
    }
    const std::string& bytes() const { return m_bytes; }

private:
    std::string m_bytes;
};

/// One tensor of a synthetic state dict: a view into storage `storageKey`.
struct FakeTensor {
    std::string key;
    std::string storageKey;
    int64_t offset = 0;
    std::vector<int64_t> shape;
    std::vector<int64_t> stride;
};

/// One storage: torch type name ("FloatStorage") and raw little-endian element bytes.
struct FakeStorage {
    std::string key;
    std::string type;
    int64_t numel = 0;
    std::string data;
};

/// Raw little-endian bytes of `values` stored as T.
template <class T>
std::string rawBytes(const std::vector<T>& values) {
    std::string s(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(s.data(), values.data(), s.size());
    return s;
}

/// Writes `_rebuild_tensor_v2(<pid>, offset, size, stride, False, OrderedDict())`.
inline void writeTensor(PickleBuilder& p, const FakeTensor& t, const FakeStorage& s, bool legacy) {
    p.global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().text("storage").global("torch", s.type).text(s.key).text("cpu").integer(s.numel);
    if (legacy) p.none();
    p.tuple().persId();
    p.integer(t.offset).intTuple(t.shape).intTuple(t.stride).boolean(false);
    p.global("collections", "OrderedDict").emptyTuple().reduce();
    p.tuple().reduce();
}

/// The pickle of an OrderedDict state dict holding `tensors`.
inline std::string stateDictPickle(const std::vector<FakeTensor>& tensors, const std::vector<FakeStorage>& storages,
                                   bool legacy) {
    PickleBuilder p;
    p.proto().global("collections", "OrderedDict").emptyTuple().reduce().mark();
    for (const auto& t : tensors) {
        p.text(t.key);
        for (const auto& s : storages)
            if (s.key == t.storageKey) writeTensor(p, t, s, legacy);
    }
    return p.setItems().stop().bytes();
}

/// A zip member for zipStored(); `method` is written as given (0 = stored).
struct FakeZipEntry {
    std::string name;
    std::string data;
    uint16_t method = 0;
};

/// A zip archive with stored entries, CRC-32 `crc` computed by the given function.
template <class CrcFn>
std::string zipStored(const std::vector<FakeZipEntry>& entries, CrcFn crc) {
    std::string out, dir;
    auto le = [](std::string& s, uint64_t v, int n) {
        for (int i = 0; i < n; ++i) s += char((v >> (8 * i)) & 0xff);
    };
    for (const auto& e : entries) {
        const uint64_t offset = out.size();
        const uint32_t c = crc(e.data);
        le(out, 0x04034b50, 4); le(out, 20, 2); le(out, 0, 2); le(out, e.method, 2); le(out, 0, 4);
        le(out, c, 4); le(out, e.data.size(), 4); le(out, e.data.size(), 4);
        le(out, e.name.size(), 2); le(out, 0, 2);
        out += e.name + e.data;
        le(dir, 0x02014b50, 4); le(dir, 20, 2); le(dir, 20, 2); le(dir, 0, 2); le(dir, e.method, 2); le(dir, 0, 4);
        le(dir, c, 4); le(dir, e.data.size(), 4); le(dir, e.data.size(), 4);
        le(dir, e.name.size(), 2); le(dir, 0, 2); le(dir, 0, 2); le(dir, 0, 2); le(dir, 0, 2); le(dir, 0, 4);
        le(dir, offset, 4);
        dir += e.name;
    }
    const uint64_t dirOffset = out.size();
    out += dir;
    le(out, 0x06054b50, 4); le(out, 0, 2); le(out, 0, 2); le(out, entries.size(), 2); le(out, entries.size(), 2);
    le(out, dir.size(), 4); le(out, dirOffset, 4); le(out, 0, 2);
    return out;
}

/// A zip-format checkpoint ("archive/data.pkl", "archive/data/<key>", "archive/version").
template <class CrcFn>
std::string zipCheckpoint(const std::string& pickle, const std::vector<FakeStorage>& storages, CrcFn crc) {
    std::vector<FakeZipEntry> entries{{"archive/data.pkl", pickle}};
    for (const auto& s : storages) entries.push_back({"archive/data/" + s.key, s.data});
    entries.push_back({"archive/version", "3\n"});
    return zipStored(entries, crc);
}

/// A legacy-format checkpoint: magic, protocol, sys_info, `pickle`, keys, storages.
inline std::string legacyCheckpoint(const std::string& pickle, const std::vector<FakeStorage>& storages) {
    PickleBuilder head;
    head.proto().op(0x8a).byte(10).raw(std::string("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10)).stop();
    head.proto().op('M').le(1001, 2).stop();
    head.proto().emptyDict().mark().text("protocol_version").integer(1001).text("little_endian").boolean(true);
    head.setItems().stop();
    PickleBuilder keys;
    keys.proto().mark();
    for (const auto& s : storages) keys.text(s.key);
    keys.list().stop();
    std::string out = head.bytes() + pickle + keys.bytes();
    for (const auto& s : storages) {
        PickleBuilder count;
        count.le(uint64_t(s.numel), 8);
        out += count.bytes() + s.data;
    }
    return out;
}

} // namespace tagscope::test
