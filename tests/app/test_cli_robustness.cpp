// SPDX-License-Identifier: GPL-3.0-or-later
// tagscope-cli never aborts: an exception inside a command is one "internal error" line and exit
// code 4; a file whose header lies about its length is one failed file, not std::bad_alloc.
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/app/cli_runner.h"
#include "tests/core/test_audio_files.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

constexpr int kExitInternal = 4;

// Sets TAGSCOPE_CLI_FAULT for the children started while it lives.
class FaultInjection {
public:
    explicit FaultInjection(const char* value) { setenv("TAGSCOPE_CLI_FAULT", value, 1); }
    ~FaultInjection() { unsetenv("TAGSCOPE_CLI_FAULT"); }
};

TEST(CliExceptionBoundary, ExceptionInsideACommandIsOneLineAndExitCodeFour) {
    const auto home = test::scratchDir("cli_fault");
    const auto control = test::runCli(home, {"models", "list"});
    ASSERT_EQ(control.exitCode, 0) << control.err;

    FaultInjection fault("models");
    const auto r = test::runCli(home, {"models", "list"});
    EXPECT_EQ(r.exitCode, kExitInternal) << r.err;
    const auto errLines = test::lines(r.err);
    ASSERT_EQ(errLines.size(), 1u) << r.err;
    EXPECT_EQ(errLines[0], "tagscope-cli: internal error while managing models: fault injected by TAGSCOPE_CLI_FAULT");
}

TEST(CliExceptionBoundary, ValueThatIsNotAStdExceptionIsCaughtToo) {
    const auto home = test::scratchDir("cli_fault_unknown");
    FaultInjection fault("tag:unknown");
    const auto r = test::runCli(home, {"tag", "/nonexistent/a.wav"});
    EXPECT_EQ(r.exitCode, kExitInternal) << r.err;
    EXPECT_EQ(test::lines(r.err), std::vector<std::string>{"tagscope-cli: internal error while tagging: unknown exception"});
}

TEST(CliExceptionBoundary, ExplainIsGuarded) {
    const auto home = test::scratchDir("cli_fault_explain");
    FaultInjection fault("explain");
    const auto r = test::runCli(home, {"explain", "/nonexistent/a.wav", "--tag", "piano"});
    EXPECT_EQ(r.exitCode, kExitInternal) << r.err;
    EXPECT_NE(r.err.find("internal error while explaining"), std::string::npos) << r.err;
}

TEST(CliRobustness, FlacClaimingTwoToThe36SamplesIsOneFailedFile) {
    const auto home = test::scratchDir("cli_huge_flac");
    const auto good = home / "good.flac";
    ASSERT_TRUE(test::writeSound(good, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, test::sineFrames(16000, 1, 3 * 16000, 440.0)));
    std::string bytes = test::readText(good);
    ASSERT_EQ(bytes.substr(0, 4), "fLaC");
    // STREAMINFO bytes 18..25: rate(20) channels(3) bits(5) total samples(36); set the total to 2^36 - 1.
    for (size_t i = 21; i < 26; ++i) bytes[i] = char(i == 21 ? (uint8_t(bytes[i]) | 0x0f) : 0xff);
    const auto huge = home / "lying.flac";
    test::writeBytes(huge, bytes);

    const auto r = test::runCli(home, {"--threads", "1", "--model", (test::sourceDir() / "models" / "tagscope_mtt_student.json").string(),
                                       "tag", huge.string(), good.string()});
    EXPECT_EQ(r.exitCode, 1) << r.err; // one file failed, the other was tagged
    EXPECT_NE(r.err.find("lying.flac"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("bad_alloc"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("good.flac"), std::string::npos) << r.out;
}

} // namespace
} // namespace tagscope
