// CsvReader: a streaming RFC 4180 reader for CRM imports.
//
// Accepts what real CRM exports contain: quoted fields with escaped quotes
// (""), delimiters and line breaks inside quotes, CRLF or LF line ends (a
// lone CR ends a line too), a UTF-8 byte order mark at the start, and no
// final line break. Completely empty lines are skipped. A quote inside an
// unquoted field, text after a closing quote, an unterminated quoted field,
// a record longer than `max_record_bytes` or with more than `max_fields`
// fields is an error for THAT record: the reader reports it with the line
// the record starts on and resumes at the next record, so one bad row does
// not stop an import. Bytes are passed through as they are (checking UTF-8
// is the caller's business).
//
// Ownership: the reader borrows its input (the string_view's bytes or the
// istream) for its whole life. Not thread-safe; one reader per input.
// No exceptions, no allocation beyond the current record.
#ifndef TESSERA_SERVER_CSV_READER_H_
#define TESSERA_SERVER_CSV_READER_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::server {

struct CsvOptions {
  // The field separator; '\0' detects it from the first record: whichever
  // of ',', ';' and TAB occurs most often outside quotes there (',' on a
  // tie or when none does), for spreadsheet exports that use ';' where the
  // decimal separator is a comma. Default: ','
  char delimiter = ',';
  size_t max_record_bytes = 1 << 20;  // field bytes per record. Default 1 MiB
  size_t max_fields = 512;            // fields per record. Default: 512
};

struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;  // 1-based physical line the record starts on
};

struct CsvError {
  int64_t line = 0;  // 1-based physical line the bad record starts on
  std::string message;
};

class CsvReader {
 public:
  enum class Outcome { kRecord, kError, kEnd };

  // Reads `text`, which must outlive the reader.
  explicit CsvReader(std::string_view text, CsvOptions options = {});
  // Reads `in` in chunks; `in` must outlive the reader.
  explicit CsvReader(std::istream& in, CsvOptions options = {});

  // Reads the next record into `record` (kRecord), or describes the next bad
  // record in `error` (kError; call again to continue), or kEnd.
  Outcome Next(CsvRecord* record, CsvError* error);

  // Whether reading the istream failed (not merely reached its end).
  bool input_failed() const { return input_failed_; }
  // The separator in use (after detection, once Next has been called).
  char delimiter() const { return options_.delimiter; }

 private:
  // The next byte, or -1 at the end of the input.
  int Peek();
  int Get();
  bool Refill();
  // The most frequent separator of the first record (see CsvOptions).
  char DetectDelimiter();

  CsvOptions options_;
  std::istream* in_ = nullptr;
  std::string buffer_;  // chunk read from in_
  std::string_view data_;
  size_t pos_ = 0;
  bool started_ = false;  // BOM checked
  bool input_failed_ = false;
  int64_t line_ = 1;  // physical line of the next byte
};

// `field` as it must appear in a CSV record: quoted (with quotes doubled)
// when it holds the delimiter, a quote, CR or LF, starts/ends with a space
// or starts with the first byte of a byte order mark.
std::string CsvQuote(std::string_view field, char delimiter = ',');
// `fields` as one CSV line ending in CRLF.
std::string CsvLine(const std::vector<std::string>& fields,
                    char delimiter = ',');

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CSV_READER_H_
