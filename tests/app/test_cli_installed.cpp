// SPDX-License-Identifier: GPL-3.0-or-later
// tagscope-cli --version, and the installed layout: a copy of the program in <prefix>/bin finds
// the bundled model in <prefix>/share/tagscope/models, once, and never in the source tree.
#include <regex>

#include <gtest/gtest.h>

#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

namespace tagscope {
namespace {

namespace fs = std::filesystem;

/// Runs `exe` with exactly `env` (no inherited variables) and returns what it printed.
test::CliRun runWithEnvironment(const fs::path& exe, const std::vector<std::string>& args,
                                std::vector<std::string> env, const fs::path& scratch) {
    std::vector<std::string> argv = {exe.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> argvPtr, envPtr;
    for (auto& a : argv) argvPtr.push_back(a.data());
    argvPtr.push_back(nullptr);
    for (auto& e : env) envPtr.push_back(e.data());
    envPtr.push_back(nullptr);
    const fs::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    test::CliRun r;
    if (posix_spawn(&pid, exe.c_str(), &actions, nullptr, argvPtr.data(), envPtr.data()) == 0) {
        int status = 0;
        if (waitpid(pid, &status, 0) == pid && WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
    }
    posix_spawn_file_actions_destroy(&actions);
    r.out = test::readText(out);
    r.err = test::readText(err);
    return r;
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

/// <scratch>/prefix/bin/tagscope-cli, a copy of the built program, and an empty home.
struct InstalledCopy {
    fs::path root, prefix, exe, home;
    explicit InstalledCopy(const std::string& name) {
        root = test::scratchDir(name);
        prefix = root / "prefix";
        exe = prefix / "bin" / "tagscope-cli";
        home = root / "home";
        fs::create_directories(prefix / "bin");
        fs::create_directories(home);
        // NOTE: a copy, not a symlink: the program locates itself through /proc/self/exe.
        fs::copy_file(TAGSCOPE_CLI, exe);
    }
    std::vector<std::string> environment() const {
        std::vector<std::string> env = {"HOME=" + home.string(), "LC_ALL=C"};
        if (const char* path = std::getenv("PATH")) env.push_back(std::string("PATH=") + path);
        return env;
    }
};

TEST(CliVersion, PrintsNameAndVersionAndExitsZero) {
    const auto r = test::runCli(test::scratchDir("cli_version"), {"--version"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(std::regex_match(r.out, std::regex("tagscope-cli [0-9]+\\.[0-9]+\\.[0-9]+\n"))) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliVersion, HelpMentionsVersionAndUnknownFlagIsAUsageError) {
    const auto help = test::runCli(test::scratchDir("cli_version_help"), {"--help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.out.find("--version"), std::string::npos) << help.out;
    const auto bad = test::runCli(test::scratchDir("cli_version_bad"), {"--versoin"});
    EXPECT_EQ(bad.exitCode, 2) << bad.out;
}

TEST(CliInstalledLayout, ListsTheBundledModelOnceFromThePrefixNotTheSourceTree) {
    InstalledCopy installed("cli_installed_layout");
    fs::create_directories(installed.prefix / "share" / "tagscope");
    fs::copy(test::sourceDir() / "models", installed.prefix / "share" / "tagscope" / "models",
             fs::copy_options::recursive);
    const auto r = runWithEnvironment(installed.exe, {"models", "list"}, installed.environment(), installed.root);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(count(r.out, "tagscope-mtt-student-v2"), 1u) << r.out;
    EXPECT_NE(r.out.find((installed.prefix / "share" / "tagscope" / "models").string()), std::string::npos) << r.out;
    // NOTE: the scratch folder may sit inside the checkout; its models/ folder must not appear.
    EXPECT_EQ(r.out.find((test::sourceDir() / "models").string()), std::string::npos) << r.out;
}

TEST(CliInstalledLayout, WithoutItsDataFolderFindsNoModelAndNamesOnlyTheUsersFolder) {
    // A program in <prefix>/bin with no <prefix>/share/tagscope must not fall back to the tree
    // it was built from.
    InstalledCopy installed("cli_installed_no_data");
    const auto r = runWithEnvironment(installed.exe, {"models", "list"}, installed.environment(), installed.root);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("No models installed"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("tagscope-mtt-student-v2"), std::string::npos) << r.out;
    // NOTE: the scratch folder may sit inside the checkout; its models/ folder must not appear.
    EXPECT_EQ(r.out.find((test::sourceDir() / "models").string()), std::string::npos) << r.out;
    EXPECT_NE(r.out.find((installed.home / ".local" / "share" / "tagscope" / "models").string()), std::string::npos)
        << r.out;
}

} // namespace
} // namespace tagscope
