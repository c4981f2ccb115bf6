// SPDX-License-Identifier: GPL-3.0-or-later
// The torch checkpoint reader on checkpoints built byte by byte: dtypes, strides, offsets,
// legacy storage views, nesting, and malformed input.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "core/io/torch_checkpoint.h"
#include "core/io/zip_reader.h"
#include "tests/core/test_torch_checkpoint_builder.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

using test::FakeStorage;
using test::FakeTensor;
using test::PickleBuilder;

std::string zipOf(const std::string& pickle, const std::vector<FakeStorage>& storages) {
    return test::zipCheckpoint(pickle, storages, [](const std::string& s) { return io::crc32(s); });
}

std::filesystem::path writeScratch(const std::string& name, const std::string& bytes) {
    const auto path = test::scratchDir("torch_checkpoint_" + std::filesystem::path(name).stem().string()) / name;
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return path;
}

// 12 float32 values 0, 1, ..., 11 in storage "0".
FakeStorage iotaStorage() {
    std::vector<float> v(12);
    for (size_t i = 0; i < v.size(); ++i) v[i] = float(i);
    return {"0", "FloatStorage", 12, test::rawBytes(v)};
}

TEST(Crc32, MatchesTheStandardCheckValue) {
    EXPECT_EQ(io::crc32("123456789"), 0xCBF43926u);
    EXPECT_EQ(io::crc32(""), 0u);
}

TEST(TorchCheckpointSynthetic, StridedViewsBecomeRowMajorInBothFormats) {
    const std::vector<FakeStorage> storages{iotaStorage()};
    const std::vector<FakeTensor> tensors{
        {"contiguous", "0", 0, {3, 4}, {4, 1}},
        {"transposed", "0", 0, {4, 3}, {1, 4}},       // .t() of the 3x4 matrix
        {"offset_slice", "0", 1, {2, 3}, {4, 2}},      // storage[1 + 4i + 2j]
        {"expanded", "0", 2, {3, 2}, {0, 1}},          // a row broadcast over 3 rows
        {"scalar", "0", 7, {}, {}},
        {"empty", "0", 0, {0, 5}, {5, 1}},
    };
    for (bool legacy : {false, true}) {
        SCOPED_TRACE(legacy ? "legacy" : "zip");
        const std::string pickle = test::stateDictPickle(tensors, storages, legacy);
        const std::string file = legacy ? test::legacyCheckpoint(pickle, storages) : zipOf(pickle, storages);
        const auto path = writeScratch(legacy ? "strided_legacy.pth" : "strided_zip.pth", file);
        auto read = io::readTorchCheckpoint(path);
        ASSERT_TRUE(read) << read.error().message;
        ASSERT_EQ(read->size(), tensors.size());
        for (const auto& t : tensors) {
            const HostTensor& h = read->at(t.key);
            ASSERT_EQ(h.shape, t.shape) << t.key;
            ASSERT_EQ(int64_t(h.data.size()), h.numel()) << t.key;
        }
        const auto& c = read->at("contiguous").data;
        for (int i = 0; i < 12; ++i) EXPECT_EQ(c[size_t(i)], float(i));
        const auto& tr = read->at("transposed").data;
        for (int r = 0; r < 4; ++r)
            for (int col = 0; col < 3; ++col) EXPECT_EQ(tr[size_t(r * 3 + col)], float(col * 4 + r));
        const auto& sl = read->at("offset_slice").data;
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j) EXPECT_EQ(sl[size_t(i * 3 + j)], float(1 + 4 * i + 2 * j));
        EXPECT_EQ(read->at("expanded").data, (std::vector<float>{2, 3, 2, 3, 2, 3}));
        EXPECT_EQ(read->at("scalar").data, std::vector<float>{7});
        EXPECT_TRUE(read->at("empty").data.empty());

        auto info = io::inspectTorchCheckpoint(path);
        ASSERT_TRUE(info) << info.error().message;
        EXPECT_EQ(info->format, legacy ? io::TorchCheckpointFormat::Legacy : io::TorchCheckpointFormat::Zip);
        EXPECT_EQ(info->tensorCount, tensors.size());
        EXPECT_EQ(info->parameterCount, 12 + 12 + 6 + 6 + 1 + 0);
    }
}

TEST(TorchCheckpointSynthetic, EveryStorageTypeConvertsToFloat) {
    const std::vector<FakeStorage> storages{
        {"d", "DoubleStorage", 2, test::rawBytes(std::vector<double>{0.125, -3.5})},
        // 1.0, -2.0, the smallest subnormal, +infinity
        {"h", "HalfStorage", 4, test::rawBytes(std::vector<uint16_t>{0x3c00, 0xc000, 0x0001, 0x7c00})},
        {"b", "BFloat16Storage", 2, test::rawBytes(std::vector<uint16_t>{0x3f80, 0xc040})}, // 1.0, -3.0
        {"l", "LongStorage", 2, test::rawBytes(std::vector<int64_t>{-5, int64_t(1) << 40})},
        {"i", "IntStorage", 2, test::rawBytes(std::vector<int32_t>{-7, 123456})},
        {"s", "ShortStorage", 1, test::rawBytes(std::vector<int16_t>{-300})},
        {"c", "CharStorage", 1, test::rawBytes(std::vector<int8_t>{-128})},
        {"u", "ByteStorage", 2, test::rawBytes(std::vector<uint8_t>{255, 3})},
        {"o", "BoolStorage", 3, test::rawBytes(std::vector<uint8_t>{1, 0, 1})},
    };
    std::vector<FakeTensor> tensors;
    for (const auto& s : storages) tensors.push_back({s.key, s.key, 0, {s.numel}, {1}});
    const std::string pickle = test::stateDictPickle(tensors, storages, false);
    auto read = io::parseTorchCheckpoint(zipOf(pickle, storages), "dtypes.pth");
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->at("d").data, (std::vector<float>{0.125f, -3.5f}));
    const auto& h = read->at("h").data;
    EXPECT_EQ(h[0], 1.0f);
    EXPECT_EQ(h[1], -2.0f);
    EXPECT_FLOAT_EQ(h[2], 5.9604645e-08f);
    EXPECT_TRUE(std::isinf(h[3]) && h[3] > 0);
    EXPECT_EQ(read->at("b").data, (std::vector<float>{1.0f, -3.0f}));
    EXPECT_EQ(read->at("l").data, (std::vector<float>{-5.0f, 1099511627776.0f}));
    EXPECT_EQ(read->at("i").data, (std::vector<float>{-7.0f, 123456.0f}));
    EXPECT_EQ(read->at("s").data, std::vector<float>{-300.0f});
    EXPECT_EQ(read->at("c").data, std::vector<float>{-128.0f});
    EXPECT_EQ(read->at("u").data, (std::vector<float>{255.0f, 3.0f}));
    EXPECT_EQ(read->at("o").data, (std::vector<float>{1.0f, 0.0f, 1.0f}));
}

TEST(TorchCheckpointSynthetic, LegacyStorageViewsAddTheirOffset) {
    // Legacy persistent id with view metadata ("view", 4, 8): a view starting at element 4.
    const FakeStorage s = iotaStorage();
    PickleBuilder p;
    p.proto().emptyDict().text("w").global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().text("storage").global("torch", "FloatStorage").text("0").text("cpu").integer(12);
    p.text("view").integer(4).integer(8).op(0x87).tuple().persId(); // TUPLE3 for the view metadata
    p.integer(1).intTuple({2}).intTuple({3}).boolean(false).emptyDict().tuple().reduce().setItem().stop();
    auto read = io::parseTorchCheckpoint(test::legacyCheckpoint(p.bytes(), {s}), "view.pth");
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->at("w").data, (std::vector<float>{5.0f, 8.0f})); // storage[4 + 1 + 3j]
}

// {"epoch": 5, "note": None, "model": {...}, "state_dict": {"net": {"conv": {"weight": P}}, 7: T}}
std::string trainingCheckpointPickle() {
    const FakeStorage s = iotaStorage();
    const FakeTensor whole{"", "0", 0, {12}, {1}};
    PickleBuilder p;
    p.proto().emptyDict().mark().text("epoch").integer(5).text("note").none();
    p.text("model").emptyDict().text("a").raw("");
    test::writeTensor(p, whole, s, false);
    p.setItem();
    p.text("state_dict").emptyDict().text("net").emptyDict().text("conv").emptyDict().text("weight");
    p.global("torch._utils", "_rebuild_parameter").mark();
    test::writeTensor(p, whole, s, false);
    p.boolean(true).emptyDict().tuple().reduce(); // Parameter(tensor, requires_grad, hooks)
    p.setItem().setItem().setItem();
    p.integer(7);
    test::writeTensor(p, {"", "0", 3, {2}, {1}}, s, false);
    p.setItem().setItems().stop();
    return p.bytes();
}

TEST(TorchCheckpointSynthetic, NestedDictionariesFlattenAndEntriesCanBeSelected) {
    const std::string file = zipOf(trainingCheckpointPickle(), {iotaStorage()});
    auto all = io::parseTorchCheckpoint(file, "train.ckpt");
    ASSERT_TRUE(all) << all.error().message;
    std::vector<std::string> keys;
    for (const auto& [k, v] : *all) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"model.a", "state_dict.7", "state_dict.net.conv.weight"}));
    EXPECT_EQ(all->at("state_dict.7").data, (std::vector<float>{3.0f, 4.0f}));

    auto sd = io::parseTorchCheckpoint(file, "train.ckpt", {"", true});
    ASSERT_TRUE(sd) << sd.error().message;
    EXPECT_EQ(sd->size(), 2u);
    EXPECT_EQ(sd->at("net.conv.weight").data.size(), 12u);
    EXPECT_EQ(io::selectKeyPrefix(*sd, "net.").size(), 1u);
    EXPECT_EQ(io::selectKeyPrefix(*sd, "net.").begin()->first, "conv.weight");

    auto model = io::parseTorchCheckpoint(file, "train.ckpt", {"model", true});
    ASSERT_TRUE(model) << model.error().message;
    EXPECT_EQ(model->size(), 1u);
    EXPECT_TRUE(model->count("a"));

    auto missing = io::parseTorchCheckpoint(file, "train.ckpt", {"optimizer", false});
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("no entry 'optimizer'"), std::string::npos) << missing.error().message;
    EXPECT_NE(missing.error().message.find("state_dict"), std::string::npos) << missing.error().message;
}

TEST(TorchCheckpointSynthetic, UnknownGlobalIsAnErrorNamingIt) {
    PickleBuilder p;
    p.proto().emptyDict().text("evil").global("os", "system").text("echo hi").tuple1().reduce().setItem().stop();
    auto read = io::parseTorchCheckpoint(zipOf(p.bytes(), {}), "evil.pth");
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().kind, Error::Kind::InvalidInput);
    EXPECT_NE(read.error().message.find("evil.pth"), std::string::npos) << read.error().message;
    EXPECT_NE(read.error().message.find("os.system"), std::string::npos) << read.error().message;
}

TEST(TorchCheckpointSynthetic, UnsupportedStorageTypeIsNamed) {
    FakeStorage s = iotaStorage();
    s.type = "ComplexFloatStorage";
    const std::string pickle = test::stateDictPickle({{"z", "0", 0, {6}, {1}}}, {s}, false);
    auto read = io::parseTorchCheckpoint(zipOf(pickle, {s}), "complex.pth");
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().message.find("torch.ComplexFloatStorage"), std::string::npos) << read.error().message;
}

TEST(TorchCheckpointSynthetic, TensorsOutsideTheirStorageAreRejected) {
    const FakeStorage s = iotaStorage();
    for (const FakeTensor& t : {FakeTensor{"w", "0", 0, {13}, {1}}, FakeTensor{"w", "0", 10, {3}, {1}},
                                FakeTensor{"w", "0", 0, {3, 4}, {1, 4}}, FakeTensor{"w", "0", 0, {2, 2}, {int64_t(1) << 62, 1}}}) {
        const std::string pickle = test::stateDictPickle({t}, {s}, false);
        for (bool legacy : {false, true}) {
            const std::string file = legacy ? test::legacyCheckpoint(test::stateDictPickle({t}, {s}, true), {s})
                                            : zipOf(pickle, {s});
            auto read = io::parseTorchCheckpoint(file, "bounds.pth");
            ASSERT_FALSE(read) << "offset " << t.offset << (legacy ? " legacy" : " zip");
            EXPECT_NE(read.error().message.find("'w'"), std::string::npos) << read.error().message;
        }
    }
}

TEST(TorchCheckpointSynthetic, HugeZeroStrideTensorIsRejectedNotAllocated) {
    const FakeStorage s = iotaStorage();
    const std::string pickle = test::stateDictPickle({{"w", "0", 0, {1 << 20, 1 << 20}, {0, 0}}}, {s}, false);
    auto read = io::parseTorchCheckpoint(zipOf(pickle, {s}), "bomb.pth");
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().message.find("implausibly large"), std::string::npos) << read.error().message;
}

TEST(TorchCheckpointSynthetic, ZipProblemsAreReported) {
    const FakeStorage s = iotaStorage();
    const std::string pickle = test::stateDictPickle({{"w", "0", 0, {12}, {1}}}, {s}, false);
    const auto crc = [](const std::string& b) { return io::crc32(b); };

    auto notCheckpoint = io::parseTorchCheckpoint(test::zipStored({{"readme.txt", "hello"}}, crc), "notes.zip");
    ASSERT_FALSE(notCheckpoint);
    EXPECT_NE(notCheckpoint.error().message.find("data.pkl"), std::string::npos) << notCheckpoint.error().message;

    auto compressed = io::parseTorchCheckpoint(
        test::zipStored({{"archive/data.pkl", pickle, 8}, {"archive/data/0", s.data}}, crc), "deflated.pth");
    ASSERT_FALSE(compressed);
    EXPECT_NE(compressed.error().message.find("compressed"), std::string::npos) << compressed.error().message;

    auto missingStorage = io::parseTorchCheckpoint(test::zipStored({{"archive/data.pkl", pickle}}, crc), "nodata.pth");
    ASSERT_FALSE(missingStorage);
    EXPECT_NE(missingStorage.error().message.find("missing"), std::string::npos) << missingStorage.error().message;

    std::string damaged = zipOf(pickle, {s});
    damaged[damaged.find(s.data) + 5] ^= 0x40; // flip one bit of the storage
    auto bad = io::parseTorchCheckpoint(damaged, "damaged.pth");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("checksum"), std::string::npos) << bad.error().message;

    auto short_ = io::parseTorchCheckpoint(zipOf(pickle, {{"0", "FloatStorage", 12, s.data.substr(0, 40)}}), "short.pth");
    ASSERT_FALSE(short_);
    EXPECT_NE(short_.error().message.find("'w'"), std::string::npos) << short_.error().message;
}

TEST(TorchCheckpointSynthetic, MalformedPicklesFailWithoutCrashing) {
    const auto check = [](const std::string& pickle, const std::string& expected) {
        auto read = io::parseTorchCheckpoint(zipOf(pickle, {}), "bad.pth");
        ASSERT_FALSE(read) << expected;
        EXPECT_EQ(read.error().kind, Error::Kind::InvalidInput);
        EXPECT_NE(read.error().message.find(expected), std::string::npos) << read.error().message;
    };
    check(PickleBuilder().proto().get(3).stop().bytes(), "unknown memo entry");
    check(PickleBuilder().proto().setItem().stop().bytes(), "stack underflow");
    check(PickleBuilder().proto().emptyDict().setItems().stop().bytes(), "MARK");
    check(PickleBuilder().proto().op(0xff).stop().bytes(), "unsupported opcode 0xff");
    check(PickleBuilder().proto().emptyDict().bytes(), "truncated");
    check(PickleBuilder().proto().op('X').le(1u << 30, 4).raw("abc").bytes(), "truncated");
    check(PickleBuilder().proto().integer(3).integer(4).append().stop().bytes(), "cannot append to a int");
    check(PickleBuilder().proto().emptyList().stop().bytes(), "rather than a dictionary");
    check(PickleBuilder().proto().emptyDict().mark().integer(1).integer(2).tuple().integer(3).setItem().stop().bytes(),
          "key");

    // A list nested 100,000 deep under a key: the walk must stop at a depth limit.
    PickleBuilder deep;
    deep.proto().emptyDict().text("deep");
    for (int i = 0; i < 100000; ++i) deep.emptyList();
    for (int i = 0; i < 99999; ++i) deep.append();
    check(deep.setItem().stop().bytes(), "nested too deeply");

    // 60 levels of {"a": d, "b": d} sharing one dict: 2^60 paths must not be walked.
    PickleBuilder shared;
    shared.proto().emptyDict().put(0);
    for (int i = 0; i < 60; ++i)
        shared.emptyDict().text("a").get(uint8_t(i % 2)).setItem().text("b").get(uint8_t(i % 2)).setItem().put(uint8_t((i + 1) % 2));
    check(shared.stop().bytes(), "shared references");
}

TEST(TorchCheckpointSynthetic, NonCheckpointFilesAreRejected) {
    const auto dir = test::scratchDir("torch_checkpoint_inputs");
    const auto expectError = [](const std::filesystem::path& p, Error::Kind kind, const std::string& words) {
        auto read = io::readTorchCheckpoint(p);
        ASSERT_FALSE(read) << p;
        EXPECT_EQ(read.error().kind, kind) << read.error().message;
        EXPECT_NE(read.error().message.find(p.filename().string()), std::string::npos) << read.error().message;
        EXPECT_NE(read.error().message.find(words), std::string::npos) << read.error().message;
        EXPECT_FALSE(io::inspectTorchCheckpoint(p));
    };
    expectError(dir / "absent.pth", Error::Kind::NotFound, "not found");
    expectError(dir, Error::Kind::InvalidInput, "directory");
    std::ofstream(dir / "empty.pth").close();
    expectError(dir / "empty.pth", Error::Kind::InvalidInput, "empty");
    std::string noise(4096, '\0');
    uint32_t state = 12345;
    for (char& c : noise) c = char((state = state * 1664525u + 1013904223u) >> 24);
    std::ofstream(dir / "noise.pth", std::ios::binary).write(noise.data(), std::streamsize(noise.size()));
    expectError(dir / "noise.pth", Error::Kind::InvalidInput, "not a PyTorch checkpoint");
}

TEST(TorchCheckpointSynthetic, EveryTruncationOfSmallCheckpointsIsAnError) {
    const std::vector<FakeStorage> storages{iotaStorage()};
    const std::vector<FakeTensor> tensors{{"a", "0", 0, {3, 4}, {4, 1}}, {"b", "0", 2, {2}, {1}}};
    const std::string legacy = test::legacyCheckpoint(test::stateDictPickle(tensors, storages, true), storages);
    const std::string zipPickle = test::stateDictPickle(tensors, storages, false);
    ASSERT_TRUE(io::parseTorchCheckpoint(legacy, "full.pth"));
    ASSERT_TRUE(io::parseTorchCheckpoint(zipOf(zipPickle, storages), "full.pth"));
    for (size_t cut = 0; cut < legacy.size(); ++cut)
        EXPECT_FALSE(io::parseTorchCheckpoint(std::string_view(legacy).substr(0, cut), "cut.pth")) << cut;
    // Cut the pickle inside an otherwise valid archive, so the pickle machine sees the end.
    for (size_t cut = 0; cut < zipPickle.size(); ++cut)
        EXPECT_FALSE(io::parseTorchCheckpoint(zipOf(zipPickle.substr(0, cut), storages), "cut.pth")) << cut;
}

} // namespace
} // namespace tagscope
