// SPDX-License-Identifier: GPL-3.0-or-later
// Changing the model while a track is analysed, and quitting while a model loads: the old run is
// cancelled and its results dropped, every result names the card of the model that produced it,
// and destroying the controller never waits without limit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <QSignalSpy>
#include <QTest>

#include "core/model/tagger.h"
#include "tests/support/test_paths.h"
#include "ui/analysis_controller.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

constexpr int kLongWaitMs = 600000;
const char* kLongClip = "audio/Karissa_Hobbs_-_Lets_Go_Fishin.ogg";
const char* kClip = "audio/Kevin_MacLeod_-_Vibe_Ace.ogg";

cards::ModelCard fakeCard(const std::string& id) {
    cards::ModelCard card;
    card.id = id;
    card.name = id;
    card.vocabularies.push_back({"v", {"a", "b"}});
    return card;
}

std::optional<cards::ModelCard> bundledStudent() {
    auto card = cards::loadModelCard(test::sourceDir() / "models" / "tagscope_mtt_student.json");
    if (!card) return std::nullopt;
    return *card;
}

// The bundled student under another id with every tag renamed "b_<tag>": same weights, so a
// result can only tell the two apart by the card it carries.
cards::ModelCard renamedStudent(cards::ModelCard card) {
    card.id = "student-b";
    card.name = "Student B";
    for (auto& v : card.vocabularies)
        for (auto& t : v.tags) t = "b_" + t;
    return card;
}

bool waitForModel(AnalysisController& c) {
    QSignalSpy ready(&c, &AnalysisController::modelReady);
    QSignalSpy failed(&c, &AnalysisController::modelFailed);
    for (int i = 0; i < 1200 && ready.isEmpty() && failed.isEmpty(); ++i) ready.wait(100);
    return !ready.isEmpty();
}

// Spins the event loop until `done` (at most `ms`).
template <class Pred>
bool waitUntil(Pred done, int ms = 30000) {
    for (int waited = 0; !done() && waited < ms; waited += 5) QTest::qWait(5);
    return done();
}

} // namespace

TEST(ModelSwitch, ResultsOfTheCancelledRunAreDroppedAtOnce) {
    AnalysisController c(nullptr, [](const cards::ModelCard&, const CancelToken*) -> Result<std::shared_ptr<model::Tagger>> {
        return fail(Error::Kind::InvalidInput, "fake", "no weights");
    });
    QSignalSpy chunks(&c, &AnalysisController::chunkArrived);
    QSignalSpy ready(&c, &AnalysisController::analysisReady);
    const quint64 id = c.open(QStringLiteral("/nonexistent/track.wav"));
    const auto a = std::make_shared<const cards::ModelCard>(fakeCard("model-a"));
    c.handleAnalysisStarted(id, a);
    ASSERT_NE(c.analysisCard(), nullptr);
    EXPECT_EQ(c.analysisCard()->id, "model-a");
    analysis::ChunkPrediction chunk;
    chunk.probabilities = {0.5f, 0.5f};
    c.handleChunk(id, chunk);
    EXPECT_EQ(chunks.count(), 1);

    c.setModel(fakeCard("model-b"));
    EXPECT_TRUE(c.isBusy()); // loading the new model
    c.handleChunk(id, chunk); // late results of the cancelled run
    analysis::TrackAnalysis result;
    result.modelId = "model-a";
    c.handleFinished(id, result);
    EXPECT_EQ(chunks.count(), 1);
    EXPECT_EQ(ready.count(), 0);
    EXPECT_FALSE(c.analysis().has_value());
    ASSERT_TRUE(waitUntil([&] { return !c.isBusy(); })); // the fake load fails; nothing else runs
}

TEST(ModelSwitch, SwitchDuringAnalysisCancelsWaitsThenLoadsAndResultsCarryTheirCard) {
    TAGSCOPE_REQUIRE_SHARED(kLongClip);
    TAGSCOPE_REQUIRE_SHARED(kClip);
    const auto a = bundledStudent();
    ASSERT_TRUE(a);
    const cards::ModelCard b = renamedStudent(*a);

    AnalysisController c;
    c.setModel(*a);
    ASSERT_TRUE(waitForModel(c));
    QSignalSpy ready(&c, &AnalysisController::analysisReady);
    QSignalSpy failed(&c, &AnalysisController::failed);
    QSignalSpy modelReady(&c, &AnalysisController::modelReady);

    int chunksOfA = 0, chunksAfterSwitch = 0, chunksOfB = 0, chunksWithWrongCard = 0;
    bool switched = false;
    QObject::connect(&c, &AnalysisController::chunkArrived, [&](const analysis::ChunkPrediction& chunk) {
        const cards::ModelCard* card = c.analysisCard();
        if (!card || chunk.probabilities.size() != card->tagCount()) ++chunksWithWrongCard;
        if (!switched) {
            ++chunksOfA;
            EXPECT_EQ(card ? card->id : "", a->id);
            switched = true;
            c.setModel(b); // on the first chunk: the run of A is far from done
            return;
        }
        if (modelReady.isEmpty()) ++chunksAfterSwitch;
        else if (card && card->id == b.id) ++chunksOfB;
    });
    c.open(QString::fromStdString(test::sharedPath(kLongClip).string()));
    ASSERT_TRUE(modelReady.wait(kLongWaitMs));
    QTest::qWait(300); // anything late from the cancelled run would arrive now
    EXPECT_EQ(chunksOfA, 1);
    EXPECT_EQ(chunksAfterSwitch, 0);
    EXPECT_EQ(ready.count(), 0);
    EXPECT_EQ(failed.count(), 0); // the cancellation is not reported as a failure
    EXPECT_FALSE(c.isBusy());
    EXPECT_EQ(c.model()->id, b.id);

    c.open(QString::fromStdString(test::sharedPath(kClip).string()));
    ASSERT_TRUE(ready.wait(kLongWaitMs));
    ASSERT_NE(c.analysisCard(), nullptr);
    EXPECT_EQ(c.analysisCard()->id, b.id);
    EXPECT_EQ(c.analysis()->modelId, b.id);
    ASSERT_FALSE(c.analysis()->tagNames.empty());
    EXPECT_EQ(c.analysis()->tagNames.front().rfind("b_", 0), 0u) << c.analysis()->tagNames.front();
    EXPECT_GT(chunksOfB, 0);
    EXPECT_EQ(chunksWithWrongCard, 0);

    // The analysis belongs to B: switching back to A leaves it labelled B, and A may not explain it.
    c.setModel(*a);
    ASSERT_TRUE(waitForModel(c));
    EXPECT_EQ(c.analysisCard()->id, b.id);
    QSignalSpy explained(&c, &AnalysisController::explanationReady);
    c.requestExplanation(0);
    EXPECT_FALSE(c.isBusy());
    QTest::qWait(100);
    EXPECT_EQ(explained.count(), 0);
}

TEST(ModelQuit, DestroyingTheControllerCancelsAModelLoad) {
    std::atomic<bool> entered{false}, sawCancel{false};
    const int abandonedBefore = AnalysisController::abandonedWorkers();
    {
        AnalysisController c(nullptr, [&](const cards::ModelCard&, const CancelToken* cancel) -> Result<std::shared_ptr<model::Tagger>> {
            entered = true;
            // A load that would take a minute unless cancelled.
            for (int i = 0; i < 60000 && !isCancelled(cancel); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            sawCancel = isCancelled(cancel);
            return fail(Error::cancelled());
        });
        c.setQuitTimeoutMs(60000); // generous: the cancel flag must end the load, not the timeout
        c.setModel(fakeCard("slow"));
        ASSERT_TRUE(waitUntil([&] { return entered.load(); }));
    }
    EXPECT_TRUE(sawCancel);
    EXPECT_EQ(AnalysisController::abandonedWorkers(), abandonedBefore);
}

TEST(ModelQuit, QuitDoesNotWaitForALoadThatIgnoresCancellation) {
    std::atomic<bool> entered{false}, release{false}, returned{false};
    const int abandonedBefore = AnalysisController::abandonedWorkers();
    {
        AnalysisController c(nullptr, [&](const cards::ModelCard&, const CancelToken*) -> Result<std::shared_ptr<model::Tagger>> {
            entered = true;
            while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            returned = true;
            return fail(Error::Kind::Io, "stuck.safetensors", "the disk stopped answering");
        });
        c.setQuitTimeoutMs(50);
        c.setModel(fakeCard("stuck"));
        ASSERT_TRUE(waitUntil([&] { return entered.load(); }));
    } // returns although the load is still blocked
    EXPECT_FALSE(returned);
    EXPECT_EQ(AnalysisController::abandonedWorkers(), abandonedBefore + 1);
    release = true;
    EXPECT_TRUE(waitUntil([&] { return returned.load(); }));
    QTest::qWait(50); // the abandoned thread finishes and deletes itself
}
