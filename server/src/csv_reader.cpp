#include "tessera/server/csv_reader.h"

namespace tessera::server {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

CsvReader::CsvReader(std::string_view text, CsvOptions options)
    : options_(options), data_(text) {}

CsvReader::CsvReader(std::istream& in, CsvOptions options)
    : options_(options), in_(&in) {}

bool CsvReader::Refill() {
  if (!in_ || input_failed_) return false;
  // Keep what is not consumed yet (the BOM check and the delimiter
  // detection peek ahead).
  std::string rest(data_.substr(pos_));
  buffer_.assign(rest);
  buffer_.resize(rest.size() + kChunkBytes);
  in_->read(buffer_.data() + rest.size(),
            static_cast<std::streamsize>(kChunkBytes));
  size_t got = static_cast<size_t>(in_->gcount());
  buffer_.resize(rest.size() + got);
  if (in_->bad()) input_failed_ = true;
  data_ = buffer_;
  pos_ = 0;
  return got > 0;
}

int CsvReader::Peek() {
  if (pos_ >= data_.size() && !Refill()) return -1;
  return static_cast<unsigned char>(data_[pos_]);
}

int CsvReader::Get() {
  int c = Peek();
  if (c < 0) return c;
  ++pos_;
  // A line ends at LF, or at a CR not followed by LF.
  if (c == '\n' || (c == '\r' && Peek() != '\n')) ++line_;
  return c;
}

char CsvReader::DetectDelimiter() {
  size_t commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false;
  // Up to the first record's end, or its size limit (the same bytes from
  // memory or from a stream, which Refill extends keeping data_[pos_..]).
  for (size_t scanned = 0; scanned < options_.max_record_bytes; ++scanned) {
    if (pos_ + scanned == data_.size() && !Refill()) break;
    char c = data_[pos_ + scanned];
    if (c == '"') quoted = !quoted;  // "" inside quotes toggles twice
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
  }
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas && tabs > semicolons) return '\t';
  return ',';
}

CsvReader::Outcome CsvReader::Next(CsvRecord* record, CsvError* error) {
  if (!started_) {
    started_ = true;
    while (data_.size() - pos_ < 3 && Refill()) {
    }
    if (data_.substr(pos_, 3) == "\xEF\xBB\xBF") pos_ += 3;
    if (options_.delimiter == '\0') options_.delimiter = DetectDelimiter();
  }
  const int delimiter = static_cast<unsigned char>(options_.delimiter);
  auto at_line_end = [](int c) { return c == '\n' || c == '\r' || c < 0; };
  auto end_line = [this] {
    if (Get() == '\r' && Peek() == '\n') Get();
  };
  auto skip_line = [this] {
    int64_t start = line_;
    while (line_ == start && Get() >= 0) {
    }
  };

  // Empty lines are not records.
  while (Peek() == '\n' || Peek() == '\r') end_line();
  if (Peek() < 0) return Outcome::kEnd;

  record->fields.clear();
  record->line = line_;
  size_t bytes = 0;
  bool too_long = false, too_wide = false;
  std::string field;
  auto append = [&](int c) {
    if (++bytes > options_.max_record_bytes) {
      too_long = true;
    } else {
      field.push_back(static_cast<char>(c));
    }
  };
  auto push_field = [&] {
    if (record->fields.size() >= options_.max_fields) {
      too_wide = true;
    } else {
      record->fields.push_back(std::move(field));
    }
    field.clear();
  };
  auto fail = [&](std::string message) {
    error->line = record->line;
    error->message = std::move(message);
    record->fields.clear();
    return Outcome::kError;
  };

  for (;;) {
    size_t column = record->fields.size() + 1;
    if (Peek() == '"') {
      Get();
      int64_t opened = line_;
      for (;;) {
        int c = Get();
        if (c < 0) {
          return fail("unterminated quoted field " + std::to_string(column) +
                      " (its opening quote is on line " +
                      std::to_string(opened) + ")");
        }
        if (c == '"') {
          if (Peek() != '"') break;
          Get();
        }
        append(c);
      }
      int next = Peek();
      if (next == delimiter) {
        Get();
        push_field();
        continue;
      }
      if (at_line_end(next)) {
        if (next >= 0) end_line();
        push_field();
        break;
      }
      skip_line();
      return fail("unexpected character after the closing quote of field " +
                  std::to_string(column) +
                  " (a quote inside a quoted field must be doubled)");
    }
    for (;;) {
      int c = Peek();
      if (c == delimiter || at_line_end(c)) break;
      if (c == '"') {
        skip_line();
        return fail("quote inside unquoted field " + std::to_string(column) +
                    " (quote the whole field and double the quote)");
      }
      Get();
      append(c);
    }
    if (Peek() == delimiter) {
      Get();
      push_field();
      continue;
    }
    if (Peek() >= 0) end_line();
    push_field();
    break;
  }
  if (too_long) {
    return fail("record longer than " +
                std::to_string(options_.max_record_bytes) + " bytes");
  }
  if (too_wide) {
    return fail("record has more than " + std::to_string(options_.max_fields) +
                " fields");
  }
  return Outcome::kRecord;
}

std::string CsvQuote(std::string_view field, char delimiter) {
  // Leading/trailing spaces survive only quoted in many readers, and a
  // leading 0xEF could read back as a byte order mark.
  bool quote = !field.empty() && (field.front() == ' ' || field.back() == ' ' ||
                                  field.front() == '\xEF');
  for (char c : field) {
    if (c == delimiter || c == '"' || c == '\r' || c == '\n') quote = true;
  }
  if (!quote) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields, char delimiter) {
  // A lone empty field would read back as an (ignored) empty line.
  if (fields.size() == 1 && fields[0].empty()) return "\"\"\r\n";
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line.push_back(delimiter);
    line += CsvQuote(fields[i], delimiter);
  }
  line += "\r\n";
  return line;
}

}  // namespace tessera::server
