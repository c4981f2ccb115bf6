// SPDX-License-Identifier: GPL-3.0-or-later
// AnalysisController + AnalysisWorker: progress, streaming, cancel, stale results, failures,
// and how responsive the GUI thread stays while a real analysis runs on the worker.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include "tests/support/test_paths.h"
#include "ui/analysis_controller.h"
#include "ui/model_bootstrap.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

constexpr int kLongWaitMs = 600000; // a full analysis on a busy 2-core machine

const char* kClip = "audio/Kevin_MacLeod_-_Vibe_Ace.ogg";

std::optional<cards::ModelCard> upstreamFcn() {
    auto card = upstreamCheckpointCard(test::sharedPath("models/upstream/mtat_fcn.pth"), test::sharedPath("tags"));
    if (!card) return std::nullopt;
    return *card;
}

/// Loads the upstream FCN into `c`; false (with a reason) when the engine cannot.
::testing::AssertionResult loadModel(AnalysisController& c) {
    auto card = upstreamFcn();
    if (!card) return ::testing::AssertionFailure() << "no card";
    QSignalSpy ready(&c, &AnalysisController::modelReady);
    QSignalSpy failed(&c, &AnalysisController::modelFailed);
    c.setModel(*card);
    for (int i = 0; i < 1200 && ready.isEmpty() && failed.isEmpty(); ++i) ready.wait(100);
    if (!failed.isEmpty()) return ::testing::AssertionFailure() << failed.front().front().toString().toStdString();
    return ready.isEmpty() ? ::testing::AssertionFailure() << "timeout" : ::testing::AssertionSuccess();
}

analysis::TrackAnalysis fakeResult(const std::string& file) {
    analysis::TrackAnalysis a;
    a.file = file;
    a.durationSeconds = 1.0;
    return a;
}

} // namespace

TEST(AnalysisController, DropsResultsOfSupersededRequests) {
    AnalysisController c;
    QSignalSpy ready(&c, &AnalysisController::analysisReady);
    QSignalSpy progress(&c, &AnalysisController::progressChanged);
    const quint64 first = c.open(QStringLiteral("/nonexistent/first.wav"));
    const quint64 second = c.open(QStringLiteral("/nonexistent/second.wav"));
    ASSERT_GT(second, first);
    EXPECT_EQ(c.currentRequest(), second);
    // Results of the first request arriving late are ignored...
    c.handleProgress(first, 0.5, QStringLiteral("decode"));
    c.handleFinished(first, fakeResult("first.wav"));
    EXPECT_EQ(ready.count(), 0);
    EXPECT_EQ(progress.count(), 0);
    EXPECT_FALSE(c.analysis().has_value());
    EXPECT_EQ(c.staleResultsDropped(), 2);
    // ...those of the current one are delivered.
    c.handleFinished(second, fakeResult("second.wav"));
    ASSERT_EQ(ready.count(), 1);
    EXPECT_EQ(c.analysis()->file, "second.wav");
    EXPECT_FALSE(c.isBusy());
}

TEST(AnalysisController, ExplanationsOfAnOlderTrackAreDropped) {
    AnalysisController c;
    QSignalSpy explained(&c, &AnalysisController::explanationReady);
    const quint64 first = c.open(QStringLiteral("/nonexistent/a.wav"));
    c.handleFinished(first, fakeResult("a.wav"));
    const quint64 second = c.open(QStringLiteral("/nonexistent/b.wav"));
    analysis::TagExplanation e;
    e.tag = 3;
    c.handleExplanation(first, e);
    EXPECT_EQ(explained.count(), 0);
    EXPECT_EQ(c.explanation(3), nullptr);
    c.handleExplanation(second, e);
    EXPECT_EQ(explained.count(), 1);
    ASSERT_NE(c.explanation(3), nullptr);
}

TEST(AnalysisController, MissingFileFailsWithItsName) {
    AnalysisController c;
    QSignalSpy failed(&c, &AnalysisController::failed);
    QSignalSpy ready(&c, &AnalysisController::analysisReady);
    c.open(QStringLiteral("/nonexistent/missing_track.wav"));
    ASSERT_TRUE(failed.wait(30000));
    EXPECT_TRUE(failed.front().front().toString().contains(QStringLiteral("missing_track.wav")))
        << failed.front().front().toString().toStdString();
    EXPECT_EQ(ready.count(), 0);
    EXPECT_FALSE(c.isBusy());
}

TEST(AnalysisController, WithoutModelShowsTheSpectrogramOnly) {
    TAGSCOPE_REQUIRE_SHARED(kClip);
    AnalysisController c;
    QSignalSpy ready(&c, &AnalysisController::analysisReady);
    QSignalSpy audio(&c, &AnalysisController::audioReady);
    c.open(QString::fromStdString(test::sharedPath(kClip).string()));
    ASSERT_TRUE(ready.wait(120000));
    const auto& a = *c.analysis();
    EXPECT_TRUE(a.tagNames.empty());
    EXPECT_EQ(a.mel.nMels, 96);
    EXPECT_NEAR(a.durationSeconds, 61.0, 1.5);
    EXPECT_NEAR(a.mel.nFrames * a.melFrameSeconds, a.durationSeconds, 0.1);
    ASSERT_EQ(audio.count(), 1);
    ASSERT_TRUE(c.audio());
    EXPECT_EQ(c.audio()->sampleRate, 16000);
}

TEST(AnalysisController, WrongWeightsReportTheFile) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    auto card = upstreamFcn();
    ASSERT_TRUE(card);
    card->weightsPath = test::sharedPath("tags/mtat_top50.txt"); // not a checkpoint
    AnalysisController c;
    QSignalSpy failed(&c, &AnalysisController::modelFailed);
    c.setModel(*card);
    ASSERT_TRUE(failed.wait(60000));
    EXPECT_TRUE(failed.front().front().toString().contains(QStringLiteral("mtat_top50.txt")))
        << failed.front().front().toString().toStdString();
    EXPECT_FALSE(c.hasModel());
}

TEST(AnalysisController, FullAnalysisStreamsProgressAndChunksAndStaysResponsive) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    AnalysisController c;
    ASSERT_TRUE(loadModel(c));
    QSignalSpy ready(&c, &AnalysisController::analysisReady);
    QSignalSpy progress(&c, &AnalysisController::progressChanged);
    QSignalSpy chunks(&c, &AnalysisController::chunkArrived);

    // Responsiveness probe: a 5 ms timer on the GUI thread; the longest gap between its ticks
    // is how long the event loop was blocked while the worker ran.
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 longest = 0;
    int ticks = 0;
    QTimer probe;
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        longest = std::max(longest, now - last);
        last = now;
        ++ticks;
    });
    qint64 firstChunkMs = -1;
    QObject::connect(&c, &AnalysisController::chunkArrived, [&] {
        if (firstChunkMs < 0) firstChunkMs = clock.elapsed();
    });
    clock.start();
    probe.start();
    c.open(QString::fromStdString(test::sharedPath(kClip).string()));
    ASSERT_TRUE(ready.wait(kLongWaitMs));
    probe.stop();
    std::printf("[ responsiveness ] analysis took %lld ms, first tags after %lld ms; GUI thread longest stall %lld ms "
                "over %d ticks\n",
                static_cast<long long>(clock.elapsed()), static_cast<long long>(firstChunkMs),
                static_cast<long long>(longest), ticks);

    const auto& a = *c.analysis();
    EXPECT_EQ(a.tagNames.size(), 50u);
    EXPECT_EQ(a.trackScores.size(), 50u);
    EXPECT_GE(a.taggram.chunkCount(), 2u);
    EXPECT_EQ(size_t(chunks.count()), a.taggram.chunkCount()); // every chunk streamed first
    ASSERT_GT(progress.count(), 0);
    for (const auto& args : progress) {
        const double f = args.at(0).toDouble();
        EXPECT_GE(f, 0.0);
        EXPECT_LE(f, 1.0);
    }
    // Throttled: far fewer progress signals than probe ticks would allow at full rate.
    EXPECT_LT(progress.count(), 40 + int(clock.elapsed() / 25));

    // The explanation of the best tag arrives for that tag.
    QSignalSpy explained(&c, &AnalysisController::explanationReady);
    const size_t best = a.ranked(1).front().index;
    c.requestExplanation(best);
    ASSERT_TRUE(explained.wait(kLongWaitMs));
    ASSERT_NE(c.explanation(best), nullptr);
    EXPECT_EQ(c.explanation(best)->tag, best);
    EXPECT_EQ(c.explanation(best)->tagName, a.tagNames[best]);
}

TEST(AnalysisController, CancelStopsTheRunningAnalysis) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED("audio/Karissa_Hobbs_-_Lets_Go_Fishin.ogg");
    AnalysisController c;
    ASSERT_TRUE(loadModel(c));
    QSignalSpy cancelled(&c, &AnalysisController::cancelled);
    QSignalSpy ready(&c, &AnalysisController::analysisReady);
    QSignalSpy progress(&c, &AnalysisController::progressChanged);
    c.open(QString::fromStdString(test::sharedPath("audio/Karissa_Hobbs_-_Lets_Go_Fishin.ogg").string()));
    ASSERT_TRUE(progress.wait(60000));
    c.cancel();
    ASSERT_TRUE(cancelled.wait(60000));
    EXPECT_EQ(ready.count(), 0);
    EXPECT_FALSE(c.isBusy());
}

TEST(AnalysisController, OpeningAnotherFileSupersedesTheFirst) {
    TAGSCOPE_REQUIRE_SHARED("models/upstream/mtat_fcn.pth");
    TAGSCOPE_REQUIRE_SHARED(kClip);
    AnalysisController c;
    ASSERT_TRUE(loadModel(c));
    QSignalSpy ready(&c, &AnalysisController::analysisReady);
    QSignalSpy failed(&c, &AnalysisController::failed);
    QSignalSpy progress(&c, &AnalysisController::progressChanged);
    c.open(QString::fromStdString(test::sharedPath("audio/Karissa_Hobbs_-_Lets_Go_Fishin.ogg").string()));
    progress.wait(60000);
    c.open(QString::fromStdString(test::sharedPath(kClip).string()));
    ASSERT_TRUE(ready.wait(kLongWaitMs));
    QTest::qWait(200); // anything late from the first request would arrive now
    EXPECT_EQ(ready.count(), 1);
    EXPECT_EQ(failed.count(), 0); // the first request's cancellation is not reported
    EXPECT_EQ(std::filesystem::path(c.analysis()->file).filename(), std::filesystem::path(kClip).filename());
}
