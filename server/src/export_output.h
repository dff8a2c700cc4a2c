// ExportOutput: where an `export` subcommand writes its JSON Lines — stdout
// for "-", otherwise the named file, truncated. Private to the server's CLI
// (cli.cpp, crm_cli.cpp). Throws std::runtime_error naming the file and
// why when it cannot be opened, and from Finish when any write failed.
#ifndef TESSERA_SERVER_EXPORT_OUTPUT_H_
#define TESSERA_SERVER_EXPORT_OUTPUT_H_

#include <fstream>
#include <ostream>
#include <string>

namespace tessera::server {

class ExportOutput {
 public:
  explicit ExportOutput(const std::string& path);
  ExportOutput(const ExportOutput&) = delete;
  ExportOutput& operator=(const ExportOutput&) = delete;

  std::ostream& stream() { return *out_; }
  // Flushes; throws when writing failed (e.g. disk full).
  void Finish();

 private:
  std::ofstream file_;
  std::ostream* out_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_EXPORT_OUTPUT_H_
