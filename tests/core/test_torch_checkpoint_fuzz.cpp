// SPDX-License-Identifier: GPL-3.0-or-later
// Hardening of the torch checkpoint reader: truncated and randomly damaged real checkpoints
// must give an error (or, for harmless damage, well-formed tensors), never a crash.
#include <gtest/gtest.h>

#include "core/io/file_util.h"
#include "core/io/torch_checkpoint.h"
#include "core/io/zip_reader.h"
#include "tests/core/test_torch_checkpoint_builder.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

// Deterministic pseudo-random numbers (a 64-bit LCG), so failures are reproducible.
class Lcg {
public:
    explicit Lcg(uint64_t seed) : m_state(seed) {}
    uint64_t next() { return (m_state = m_state * 6364136223846793005ull + 1442695040888963407ull) >> 17; }

private:
    uint64_t m_state;
};

// A successful read must still be well-formed: every tensor's data matches its shape.
void expectWellFormed(const Result<TensorMap>& read) {
    if (!read) {
        EXPECT_FALSE(read.error().message.empty());
        return;
    }
    for (const auto& [key, t] : *read) EXPECT_EQ(int64_t(t.data.size()), t.numel()) << key;
}

TEST(TorchCheckpointFuzz, TruncatedZipCheckpointIsAlwaysAnError) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_small.ckpt");
    auto bytes = io::readFileBytes(test::sharedPath("golden/mtt_small.ckpt"));
    ASSERT_TRUE(bytes) << bytes.error().message;
    ASSERT_TRUE(io::parseTorchCheckpoint(*bytes, "mtt_small.ckpt"));
    const std::string_view all(*bytes);
    for (size_t cut = 0; cut < all.size(); cut += 97)
        ASSERT_FALSE(io::parseTorchCheckpoint(all.substr(0, cut), "mtt_small.ckpt")) << "cut at " << cut;
}

TEST(TorchCheckpointFuzz, TruncatedLegacyCheckpointIsAlwaysAnError) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    auto bytes = io::readFileBytes(test::sharedPath("models/upstream/mtat_fcn.pth"));
    ASSERT_TRUE(bytes) << bytes.error().message;
    ASSERT_TRUE(io::parseTorchCheckpoint(*bytes, "mtat_fcn.pth"));
    const std::string_view all(*bytes);
    // Densely through the header and pickles (the first ~10 kB), sparsely through the storages.
    for (size_t cut = 0; cut < all.size(); cut += cut < 12000 ? 7 : 997)
        ASSERT_FALSE(io::parseTorchCheckpoint(all.substr(0, cut), "mtat_fcn.pth")) << "cut at " << cut;
}

TEST(TorchCheckpointFuzz, DamagedLegacyPickleNeverCrashes) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    auto bytes = io::readFileBytes(test::sharedPath("models/upstream/mtat_fcn.pth"));
    ASSERT_TRUE(bytes) << bytes.error().message;
    std::string& b = *bytes;
    Lcg rng(42);
    int failures = 0;
    for (int round = 0; round < 300; ++round) {
        // Overwrite 1-4 bytes inside the pickles, then restore them.
        std::vector<std::pair<size_t, char>> saved;
        const int n = 1 + int(rng.next() % 4);
        for (int i = 0; i < n; ++i) {
            const size_t at = rng.next() % 10000;
            saved.emplace_back(at, b[at]);
            b[at] = char(rng.next() & 0xff);
        }
        const auto read = io::parseTorchCheckpoint(b, "damaged.pth");
        failures += read ? 0 : 1;
        expectWellFormed(read);
        for (auto it = saved.rbegin(); it != saved.rend(); ++it) b[it->first] = it->second;
    }
    EXPECT_GT(failures, 0); // the damage is real enough to be noticed
}

TEST(TorchCheckpointFuzz, DamagedZipPickleNeverCrashes) {
    TAGSCOPE_REQUIRE_SHARED("golden/mtt_small.ckpt");
    auto bytes = io::readFileBytes(test::sharedPath("golden/mtt_small.ckpt"));
    ASSERT_TRUE(bytes) << bytes.error().message;
    auto zip = io::ZipArchive::parse(*bytes, "mtt_small.ckpt");
    ASSERT_TRUE(zip) << zip.error().message;
    std::vector<test::FakeZipEntry> entries;
    size_t pickleIndex = 0;
    for (const auto& e : zip->entries()) {
        auto data = zip->data(e);
        ASSERT_TRUE(data) << data.error().message;
        if (e.name.ends_with("data.pkl")) pickleIndex = entries.size();
        entries.push_back({e.name, std::string(*data)});
    }
    const auto crc = [](const std::string& s) { return io::crc32(s); };
    ASSERT_TRUE(io::parseTorchCheckpoint(test::zipStored(entries, crc), "rezipped.ckpt"));
    const std::string pickle = entries[pickleIndex].data;
    Lcg rng(7);
    int failures = 0;
    for (int round = 0; round < 150; ++round) {
        std::string& p = entries[pickleIndex].data;
        p = pickle;
        const int n = 1 + int(rng.next() % 4);
        for (int i = 0; i < n; ++i) p[rng.next() % p.size()] = char(rng.next() & 0xff);
        // Re-zipped with correct checksums, so the damage reaches the pickle machine.
        const auto read = io::parseTorchCheckpoint(test::zipStored(entries, crc), "damaged.ckpt");
        failures += read ? 0 : 1;
        expectWellFormed(read);
    }
    EXPECT_GT(failures, 0);
}

} // namespace
} // namespace tagscope
