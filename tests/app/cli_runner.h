// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the real tagscope-cli binary (TAGSCOPE_CLI) in a child process with a private model
// folder and data home, capturing its exit code, stdout and stderr.
#pragma once

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace tagscope::test {

struct CliRun {
    int exitCode = -1;   ///< exit status, or 128 + signal when killed by a signal
    std::string out;
    std::string err;
};

inline std::string readText(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// One child process of tagscope-cli whose environment points model lookups at `home`.
class CliProcess {
public:
    CliProcess(const std::filesystem::path& home, const std::vector<std::string>& args) : m_home(home) {
        std::filesystem::create_directories(home / "models");
        std::filesystem::create_directories(home / "data");
        m_outPath = home / ("stdout" + std::to_string(s_counter) + ".txt");
        m_errPath = home / ("stderr" + std::to_string(s_counter++) + ".txt");

        std::map<std::string, std::string> env;
        for (char** e = environ; *e; ++e) {
            const std::string kv(*e);
            const auto eq = kv.find('=');
            if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        env["TAGSCOPE_MODELS_DIR"] = (home / "models").string();
        env["XDG_DATA_HOME"] = (home / "data").string();
        std::vector<std::string> envStrings;
        for (const auto& [k, v] : env) envStrings.push_back(k + "=" + v);

        std::vector<std::string> argv = {TAGSCOPE_CLI};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<char*> argvPtr, envPtr;
        for (auto& a : argv) argvPtr.push_back(a.data());
        argvPtr.push_back(nullptr);
        for (auto& e : envStrings) envPtr.push_back(e.data());
        envPtr.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, m_outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, m_errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (posix_spawn(&m_pid, TAGSCOPE_CLI, &actions, nullptr, argvPtr.data(), envPtr.data()) != 0) m_pid = -1;
        posix_spawn_file_actions_destroy(&actions);
    }

    bool started() const { return m_pid > 0; }
    pid_t pid() const { return m_pid; }
    std::string currentStderr() const { return readText(m_errPath); }

    /// Waits for the child to end.
    CliRun wait() {
        CliRun r;
        int status = 0;
        if (m_pid > 0 && waitpid(m_pid, &status, 0) == m_pid) {
            if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
            else if (WIFSIGNALED(status)) r.exitCode = 128 + WTERMSIG(status);
        }
        m_pid = -1;
        r.out = readText(m_outPath);
        r.err = readText(m_errPath);
        return r;
    }

    ~CliProcess() {
        if (m_pid > 0) {
            kill(m_pid, SIGKILL);
            waitpid(m_pid, nullptr, 0);
        }
    }

private:
    std::filesystem::path m_home, m_outPath, m_errPath;
    pid_t m_pid = -1;
    static inline int s_counter = 0;
};

/// Runs tagscope-cli to completion.
inline CliRun runCli(const std::filesystem::path& home, const std::vector<std::string>& args) {
    CliProcess p(home, args);
    return p.wait();
}

/// Every stderr line, without the trailing newline.
inline std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

} // namespace tagscope::test
