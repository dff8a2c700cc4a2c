// Helpers for the tests that drive the real tessera-server binary
// (TESSERA_SERVER_BINARY): run a subcommand and read its output, or start
// `serve` as a child process on a free port and stop it with a signal.
#ifndef TESSERA_TESTS_SERVER_SERVER_BINARY_H_
#define TESSERA_TESTS_SERVER_SERVER_BINARY_H_

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tessera::server::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct CommandResult {
  int exit_code = -1;
  std::string out;
};

// Runs the binary with `arguments` through the shell (quote what needs
// it); `out` is its stdout, or stdout and stderr with `with_errors`.
// `prefix` goes before the binary (e.g. "timeout 60 ").
inline CommandResult RunCommand(const std::string& arguments,
                                bool with_errors = false,
                                const std::string& prefix = "") {
  CommandResult result;
  std::string command = prefix + TESSERA_SERVER_BINARY + " " + arguments +
                        (with_errors ? " 2>&1" : " 2>/dev/null");
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0)
    result.out.append(chunk, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// `tessera-server serve --db DB --port 0 --threads 2 EXTRA...` as a child
// process with its stderr in `log`, at most `open_files` descriptors when
// that is not 0 (soft and hard limit, so the server cannot raise it), and
// files of at most `file_size` bytes when that is not 0. The constructor
// waits (up to 10 s) for it to listen, unless `wait` is false (then call
// WaitUntilListening); port() stays 0 when it did not. The destructor kills
// (SIGKILL) a server still running.
class ServerProcess {
 public:
  ServerProcess(const std::string& db, const std::string& log,
                std::vector<std::string> extra = {}, rlim_t open_files = 0,
                rlim_t file_size = 0, bool wait = true)
      : log_(log) {
    std::vector<std::string> args = {
        TESSERA_SERVER_BINARY, "serve", "--db", db, "--port", "0",
        "--threads",           "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      FILE* err = freopen(log.c_str(), "w", stderr);
      (void)err;
      if (open_files != 0) {
        rlimit limit{open_files, open_files};
        setrlimit(RLIMIT_NOFILE, &limit);
      }
      if (file_size != 0) {
        // Writes past it fail with EFBIG, as on a full disk. Soft limit only,
        // so the test can lift it (prlimit) without privileges.
        rlimit limit{file_size, RLIM_INFINITY};
        setrlimit(RLIMIT_FSIZE, &limit);
        signal(SIGXFSZ, SIG_IGN);  // kept across exec: fail, do not die
      }
      execv(TESSERA_SERVER_BINARY, argv.data());
      _exit(127);
    }
    if (wait) WaitUntilListening();
  }

  // Waits (up to 10 s) for the server to listen; false if it did not.
  bool WaitUntilListening() {
    // The server announces its port on stderr once it listens (http:// or
    // https://).
    const std::string marker = "://127.0.0.1:";
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::string text = ReadFile(log_);
      size_t at = text.find("listening on ");
      if (at != std::string::npos) at = text.find(marker, at);
      if (at != std::string::npos) {
        port_ =
            static_cast<uint16_t>(std::atoi(text.c_str() + at + marker.size()));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    return port_ != 0;
  }
  ~ServerProcess() {
    if (pid_ > 0) Signal(SIGKILL);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log() const { return ReadFile(log_); }
  // Sends `signal_number` and returns at once (e.g. SIGHUP).
  void Notify(int signal_number) const { kill(pid_, signal_number); }
  // Sends `signal_number`, waits, and returns the exit status (or 128 +
  // the signal that ended it).
  int Signal(int signal_number) {
    kill(pid_, signal_number);
    return Wait();
  }
  // Waits for the server to end (e.g. after Notify) and returns the exit
  // status (or 128 + the signal that ended it).
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace tessera::server::testing

#endif  // TESSERA_TESTS_SERVER_SERVER_BINARY_H_
