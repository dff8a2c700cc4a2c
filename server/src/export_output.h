// ExportOutput: where an `export` subcommand writes its JSON Lines — stdout
// for "-", otherwise the named file. A file is written beside its name, as
// "<name>.partial", synced and renamed to it by Finish, so a file under the
// name is always a whole export: an export that fails (disk full, a store
// error) removes its partial file and leaves whatever was under the name
// before. A name that is a device, a pipe or a symbolic link (/dev/stdout)
// is written as it is. A name that is the database being exported (or its
// -wal file) is refused. Private to the server's CLI (cli.cpp, crm_cli.cpp).
// Throws std::runtime_error naming the file and why when it cannot be
// opened, and from Finish when any write failed.
#ifndef TESSERA_SERVER_EXPORT_OUTPUT_H_
#define TESSERA_SERVER_EXPORT_OUTPUT_H_

#include <memory>
#include <ostream>
#include <string>

namespace tessera::server {

class ExportOutput {
 public:
  // `database`: the --db the export reads (a SQLite path or URI, or a
  // PostgreSQL URI).
  explicit ExportOutput(const std::string& path,
                        const std::string& database = "");
  ~ExportOutput();  // removes the partial file unless Finish succeeded
  ExportOutput(const ExportOutput&) = delete;
  ExportOutput& operator=(const ExportOutput&) = delete;

  std::ostream& stream() { return out_; }
  // Writes what is buffered and gives the file its name; throws, with the
  // system's reason, when any write failed (e.g. disk full).
  void Finish();

 private:
  class Buffer;  // a descriptor's, keeping the first write error

  std::string path_;
  std::string partial_;  // written, then renamed to path_; "" when none
  std::unique_ptr<Buffer> buffer_;
  std::ostream out_;
  bool finished_ = false;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_EXPORT_OUTPUT_H_
