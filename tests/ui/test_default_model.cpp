// SPDX-License-Identifier: GPL-3.0-or-later
// The window's default model: with no model of the user's own, the bundled student from
// models/ is picked, loads on the worker, and analyses a real clip into three vocabularies
// whose tags are grouped across vocabularies.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <set>

#include <QElapsedTimer>
#include <QSignalSpy>

#include "tests/support/test_paths.h"
#include "ui/analysis_controller.h"
#include "ui/model_bootstrap.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

constexpr int kLongWaitMs = 600000;

/// Points the user's model folder at an empty scratch folder for the test's lifetime.
class EmptyUserModels {
public:
    EmptyUserModels() {
        if (const char* x = std::getenv("XDG_DATA_HOME")) m_saved = x, m_had = true;
        setenv("XDG_DATA_HOME", test::scratchDir("default_model_home").c_str(), 1);
        if (const char* d = std::getenv("TAGSCOPE_MODELS_DIR")) m_savedDir = d, m_hadDir = true;
        unsetenv("TAGSCOPE_MODELS_DIR");
    }
    ~EmptyUserModels() {
        if (m_had) setenv("XDG_DATA_HOME", m_saved.c_str(), 1);
        else unsetenv("XDG_DATA_HOME");
        if (m_hadDir) setenv("TAGSCOPE_MODELS_DIR", m_savedDir.c_str(), 1);
    }

private:
    std::string m_saved, m_savedDir;
    bool m_had = false, m_hadDir = false;
};

} // namespace

TEST(DefaultModel, IsTheBundledStudentAndAnalysesAClipIntoGroupedVocabularies) {
    TAGSCOPE_REQUIRE_SHARED("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    EmptyUserModels isolated;
    const auto card = defaultModel(installedModels());
    ASSERT_TRUE(card.has_value());
    EXPECT_EQ(card->id, "tagscope-mtt-student-v2");
    ASSERT_TRUE(card->taxonomyPath.has_value());

    AnalysisController c;
    QSignalSpy loaded(&c, &AnalysisController::modelReady);
    QSignalSpy failed(&c, &AnalysisController::modelFailed);
    c.setModel(*card);
    for (int i = 0; i < 1200 && loaded.isEmpty() && failed.isEmpty(); ++i) loaded.wait(100);
    ASSERT_TRUE(failed.isEmpty()) << failed.front().front().toString().toStdString();
    ASSERT_FALSE(loaded.isEmpty());

    QSignalSpy ready(&c, &AnalysisController::analysisReady);
    QElapsedTimer clock;
    qint64 firstChunkMs = -1;
    QObject::connect(&c, &AnalysisController::chunkArrived, [&] {
        if (firstChunkMs < 0) firstChunkMs = clock.elapsed();
    });
    clock.start();
    c.open(QString::fromStdString(test::sharedPath("audio/Kevin_MacLeod_-_Vibe_Ace.ogg").string()));
    ASSERT_TRUE(ready.wait(kLongWaitMs));
    std::printf("[ first tags ] bundled student: first chunk after %lld ms, whole analysis %lld ms\n",
                static_cast<long long>(firstChunkMs), static_cast<long long>(clock.elapsed()));

    const auto& a = *c.analysis();
    ASSERT_EQ(a.tagNames.size(), 150u);
    ASSERT_EQ(a.vocabularyOfTag.size(), 150u);
    EXPECT_EQ(a.vocabularyOfTag.front(), "mtat_top50");
    EXPECT_EQ(a.vocabularyOfTag.back(), "jamendo_top50");
    EXPECT_GE(firstChunkMs, 0);
    EXPECT_TRUE(a.warnings.empty()) << a.warnings.front();
    ASSERT_FALSE(a.hierarchy.empty());
    bool across = false;
    for (const auto& group : a.hierarchy) {
        std::set<std::string> vocabularies;
        for (size_t m : group.members) vocabularies.insert(a.vocabularyOfTag.at(m));
        across = across || vocabularies.size() > 1;
        // Grouped max-pooling: the group's score is its best member's.
        EXPECT_FLOAT_EQ(group.score, a.trackScores.at(group.evidenceIndex)) << group.group;
    }
    EXPECT_TRUE(across);
}
