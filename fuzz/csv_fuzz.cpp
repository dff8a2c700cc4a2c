// Feeds arbitrary bytes to the CRM CSV reader, from memory and from a
// stream. Invariants: no crash; both inputs detect the same separator and
// give the same records and errors; records respect the limits; line numbers never go back; and when
// every record is valid, writing them with CsvLine and reading that back
// gives the same records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/server/csv_reader.h"

namespace {

using tessera::server::CsvError;
using tessera::server::CsvOptions;
using tessera::server::CsvReader;
using tessera::server::CsvRecord;

struct Item {
  bool error = false;
  int64_t line = 0;
  std::vector<std::string> fields;
  bool operator==(const Item& other) const {
    return error == other.error && line == other.line && fields == other.fields;
  }
};

std::vector<Item> ReadAll(CsvReader& reader, const CsvOptions& options) {
  std::vector<Item> items;
  CsvRecord record;
  CsvError error;
  int64_t last_line = 0;
  for (;;) {
    CsvReader::Outcome outcome = reader.Next(&record, &error);
    if (outcome == CsvReader::Outcome::kEnd) break;
    Item item;
    item.error = outcome == CsvReader::Outcome::kError;
    item.line = item.error ? error.line : record.line;
    if (item.line < last_line || item.line < 1) std::abort();
    last_line = item.line;
    if (item.error) {
      if (error.message.empty()) std::abort();
    } else {
      size_t bytes = 0;
      for (const std::string& field : record.fields) bytes += field.size();
      if (record.fields.empty() || record.fields.size() > options.max_fields ||
          bytes > options.max_record_bytes) {
        std::abort();
      }
      item.fields = record.fields;
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the delimiter (or its detection, '\0') and small
  // limits, so they are hit.
  CsvOptions options;
  const char kDelimiters[] = {',', ';', '|', '\0'};
  options.delimiter = kDelimiters[data[0] & 3];
  options.max_fields = 1 + ((data[0] >> 2) & 15);
  options.max_record_bytes = 1 + (data[0] >> 6) * 64;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  CsvReader from_memory(text, options);
  std::vector<Item> items = ReadAll(from_memory, options);
  std::istringstream stream{std::string(text)};
  CsvReader from_stream(stream, options);
  if (!(ReadAll(from_stream, options) == items)) std::abort();
  if (from_stream.delimiter() != from_memory.delimiter()) std::abort();
  if (options.delimiter == '\0' && !items.empty()) {
    char detected = from_memory.delimiter();
    if (detected != ',' && detected != ';' && detected != '\t') std::abort();
  }
  options.delimiter = from_memory.delimiter();

  std::string rewritten;
  for (const Item& item : items) {
    if (item.error) return 0;
    rewritten += tessera::server::CsvLine(item.fields, options.delimiter);
  }
  CsvOptions roomy = options;
  roomy.max_record_bytes = 1 << 20;
  CsvReader again(rewritten, roomy);
  std::vector<Item> reread = ReadAll(again, roomy);
  if (reread.size() != items.size()) std::abort();
  for (size_t i = 0; i < items.size(); ++i) {
    if (reread[i].error || reread[i].fields != items[i].fields) std::abort();
  }
  return 0;
}
