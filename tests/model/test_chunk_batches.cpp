// SPDX-License-Identifier: GPL-3.0-or-later
// Batches are sized from what one chunk's forward pass allocates: activations stay under the
// heap's mmap threshold (heap_tuning.h) where one chunk's fit, and results do not depend on it.
#include <gtest/gtest.h>

#include "core/model/analyzer.h"
#include "core/model/engine/chunk_runner.h"
#include "tests/model/analyzer_test_support.h"

using namespace tagscope;

namespace {

/// MeanPoolNet that also builds (and discards) an activation of `bytesPerChunk` per chunk.
class WideActivationNet : public test::MeanPoolNet {
public:
    WideActivationNet(int nMels, int nTags, int64_t bytesPerChunk) : MeanPoolNet(nMels, nTags), m_floats(bytesPerChunk / 4) {}
    torch::Tensor forward(const torch::Tensor& x, model::AttentionControl* a = nullptr) override {
        const auto wide = torch::ones({x.size(0), m_floats});
        batches.push_back(x.size(0));
        return MeanPoolNet::forward(x, a) + 0.0f * wide.sum(1, true);
    }
    int64_t m_floats;
    std::vector<int64_t> batches;
};

} // namespace

TEST(ChunkBatches, SizedSoTheLargestActivationStaysOnTheHeap) {
    const int64_t mb = int64_t(1) << 20;
    auto wide = std::make_shared<WideActivationNet>(16, 3, 12 * mb);
    auto tagger = test::tinyTagger(wide, test::tinyCard(1.0));
    ASSERT_TRUE(tagger);
    auto& impl = const_cast<model::Tagger&>(*tagger).impl();
    EXPECT_EQ(model::chunksPerBatch(impl, 8), 8u); // nothing measured yet
    model::Analyzer analyzer(tagger);
    const auto audio = test::toneAudio(12.0, 1000.0);
    auto r = analyzer.analyzeAudio(audio);
    ASSERT_TRUE(r) << r.error().message;
    // The first pass (one chunk) measured >= 12 MB: 2 chunks a batch keep it under 32 MB.
    EXPECT_GE(impl.chunkActivationBytes.load(), size_t(12 * mb));
    EXPECT_EQ(model::chunksPerBatch(impl, 8), 2u);
    ASSERT_GE(wide->batches.size(), 2u);
    EXPECT_EQ(wide->batches[0], 1);
    for (size_t i = 1; i < wide->batches.size(); ++i) EXPECT_LE(wide->batches[i], 2) << "pass " << i;

    // A small net keeps the requested batch; the same audio gives the same scores either way.
    auto small = std::make_shared<WideActivationNet>(16, 3, 4096);
    auto smallTagger = test::tinyTagger(small, test::tinyCard(1.0));
    ASSERT_TRUE(smallTagger);
    model::Analyzer smallAnalyzer(smallTagger);
    auto s = smallAnalyzer.analyzeAudio(audio);
    ASSERT_TRUE(s);
    EXPECT_EQ(model::chunksPerBatch(const_cast<model::Tagger&>(*smallTagger).impl(), 8), 8u);
    EXPECT_GT(*std::max_element(small->batches.begin(), small->batches.end()), 2);
    ASSERT_EQ(s->trackScores.size(), r->trackScores.size());
    for (size_t t = 0; t < s->trackScores.size(); ++t) EXPECT_NEAR(s->trackScores[t], r->trackScores[t], 1e-6);

    // A chunk whose largest block alone exceeds the threshold keeps the audio-length rule.
    auto huge = std::make_shared<WideActivationNet>(16, 3, 40 * mb);
    auto hugeTagger = test::tinyTagger(huge, test::tinyCard(1.0));
    ASSERT_TRUE(hugeTagger);
    model::Analyzer hugeAnalyzer(hugeTagger);
    ASSERT_TRUE(hugeAnalyzer.analyzeAudio(test::toneAudio(3.0, 1000.0)));
    EXPECT_EQ(model::chunksPerBatch(const_cast<model::Tagger&>(*hugeTagger).impl(), 8), 8u);
}
