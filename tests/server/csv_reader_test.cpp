// The CRM CSV reader: RFC 4180 quoting, line ends, BOM, limits, and bad
// records reported with their line while the rest is still read.
#include "tessera/server/csv_reader.h"

#include <gtest/gtest.h>

#include <sstream>

namespace tessera::server {
namespace {

struct Read {
  std::vector<CsvRecord> records;
  std::vector<CsvError> errors;
};

Read ReadAll(CsvReader& reader) {
  Read read;
  CsvRecord record;
  CsvError error;
  for (;;) {
    CsvReader::Outcome outcome = reader.Next(&record, &error);
    if (outcome == CsvReader::Outcome::kEnd) break;
    if (outcome == CsvReader::Outcome::kRecord) read.records.push_back(record);
    if (outcome == CsvReader::Outcome::kError) read.errors.push_back(error);
  }
  return read;
}

Read ReadText(std::string_view text, CsvOptions options = {}) {
  CsvReader reader(text, options);
  return ReadAll(reader);
}

using Fields = std::vector<std::string>;

TEST(CsvReaderTest, ReadsPlainRecordsWithLfOrCrlf) {
  Read lf = ReadText("a,b,c\n1,2,3\n");
  Read crlf = ReadText("a,b,c\r\n1,2,3\r\n");
  ASSERT_EQ(lf.records.size(), 2u);
  ASSERT_EQ(crlf.records.size(), 2u);
  EXPECT_EQ(lf.records[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ(crlf.records[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ(crlf.records[1].line, 2);
  EXPECT_TRUE(crlf.errors.empty());
}

TEST(CsvReaderTest, LastRecordNeedsNoLineBreakAndEmptyFieldsAreKept) {
  Read read = ReadText("x,,z\n,,");
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[0].fields, (Fields{"x", "", "z"}));
  EXPECT_EQ(read.records[1].fields, (Fields{"", "", ""}));
}

TEST(CsvReaderTest, QuotedFieldsHoldDelimitersEscapedQuotesAndNewlines) {
  Read read = ReadText(
      "id,note\r\n"
      "1,\"a, b\"\r\n"
      "2,\"she said \"\"hi\"\"\"\r\n"
      "3,\"two\r\nlines\"\r\n"
      "4,\"\"\r\n");
  ASSERT_EQ(read.records.size(), 5u)
      << (read.errors.empty() ? "" : read.errors[0].message);
  EXPECT_EQ(read.records[1].fields[1], "a, b");
  EXPECT_EQ(read.records[2].fields[1], "she said \"hi\"");
  EXPECT_EQ(read.records[3].fields[1], "two\r\nlines");
  EXPECT_EQ(read.records[4].fields[1], "");
  // The record after the embedded line break starts on physical line 6.
  EXPECT_EQ(read.records[3].line, 4);
  EXPECT_EQ(read.records[4].line, 6);
}

TEST(CsvReaderTest, SkipsByteOrderMarkAndEmptyLines) {
  Read read = ReadText("\xEF\xBB\xBFid,name\n\n\r\n1,Ann\n");
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[0].fields[0], "id");
  EXPECT_EQ(read.records[1].line, 4);
}

TEST(CsvReaderTest, LoneCarriageReturnEndsALine) {
  Read read = ReadText("a,b\r1,2\r");
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[1].fields, (Fields{"1", "2"}));
  EXPECT_EQ(read.records[1].line, 2);
}

TEST(CsvReaderTest, BadRecordsAreReportedWithLineAndTheRestIsRead) {
  Read read = ReadText(
      "id,v\n"
      "1,ok\n"
      "2,bad\"quote\n"
      "3,\"closed\"junk\n"
      "4,fine\n");
  ASSERT_EQ(read.errors.size(), 2u);
  EXPECT_EQ(read.errors[0].line, 3);
  EXPECT_NE(read.errors[0].message.find("quote inside unquoted field 2"),
            std::string::npos)
      << read.errors[0].message;
  EXPECT_EQ(read.errors[1].line, 4);
  EXPECT_NE(read.errors[1].message.find("after the closing quote"),
            std::string::npos)
      << read.errors[1].message;
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_EQ(read.records[2].fields, (Fields{"4", "fine"}));
  EXPECT_EQ(read.records[2].line, 5);
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheLineItOpenedOn) {
  Read read = ReadText("id,v\n1,\"never\nclosed\n");
  ASSERT_EQ(read.records.size(), 1u);
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_EQ(read.errors[0].line, 2);
  EXPECT_NE(read.errors[0].message.find("unterminated quoted field 2"),
            std::string::npos)
      << read.errors[0].message;
}

TEST(CsvReaderTest, LimitsRejectOneRecordAndReadingContinues) {
  CsvOptions options;
  options.max_fields = 3;
  options.max_record_bytes = 10;
  Read read = ReadText(
      "a,b,c\n"
      "1,2,3,4\n"
      "\"0123456789\nmore\",x\n"
      "x,y\n",
      options);
  ASSERT_EQ(read.errors.size(), 2u);
  EXPECT_EQ(read.errors[0].line, 2);
  EXPECT_NE(read.errors[0].message.find("more than 3 fields"),
            std::string::npos);
  EXPECT_EQ(read.errors[1].line, 3);
  EXPECT_NE(read.errors[1].message.find("longer than 10 bytes"),
            std::string::npos);
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[1].fields, (Fields{"x", "y"}));
  EXPECT_EQ(read.records[1].line, 5);
}

TEST(CsvReaderTest, OtherDelimiters) {
  CsvOptions options;
  options.delimiter = ';';
  Read read = ReadText("a;\"b;c\";d,e\n", options);
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(read.records[0].fields, (Fields{"a", "b;c", "d,e"}));
}

TEST(CsvReaderTest, DetectsTheSeparatorFromTheFirstRecord) {
  CsvOptions detect;
  detect.delimiter = '\0';
  struct Case {
    std::string text;
    char separator;
    Fields first;
  };
  const Case cases[] = {
      // A spreadsheet export where ',' is the decimal separator.
      {"\xEF\xBB\xBF" "customer_id;amount\r\nc1;10,5\r\n", ';',
       {"customer_id", "amount"}},
      {"a\tb\tc\n1\t2\t3\n", '\t', {"a", "b", "c"}},
      {"a,b\n1;2;3;4\n", ',', {"a", "b"}},  // only the first record counts
      // Separators inside quotes do not count, "" included.
      {"\"x;y;z\",\"q\"\";\"\"\",w\n", ',', {"x;y;z", "q\";\"", "w"}},
      {"a;b,c\n", ',', {"a;b", "c"}},  // a tie keeps ','
      {"lonely\n", ',', {"lonely"}},
  };
  for (const Case& c : cases) {
    CsvReader reader(c.text, detect);
    Read read = ReadAll(reader);
    EXPECT_EQ(reader.delimiter(), c.separator) << c.text;
    ASSERT_FALSE(read.records.empty()) << c.text;
    EXPECT_EQ(read.records[0].fields, c.first) << c.text;
  }
  // A first record longer than the reader's 64 KiB chunk, from a stream.
  std::string wide = "id";
  for (int i = 0; i < 300; ++i) {
    wide += ";column_" + std::to_string(i) + std::string(300, 'x');
  }
  wide += ",x\n1\n";
  std::istringstream stream(wide);
  CsvReader from_stream(stream, detect);
  Read streamed = ReadAll(from_stream);
  EXPECT_EQ(from_stream.delimiter(), ';');
  ASSERT_EQ(streamed.records.size(), 2u);
  EXPECT_EQ(streamed.records[0].fields.size(), 301u);
  EXPECT_EQ(streamed.records[0].fields.back(),
            "column_299" + std::string(300, 'x') + ",x");
}

TEST(CsvReaderTest, StreamInputAcrossChunksMatchesMemoryInput) {
  // Larger than one 64 KiB chunk, with quoted newlines straddling chunks.
  std::string text = "\xEF\xBB\xBFid,note\r\n";
  for (int i = 0; i < 5000; ++i) {
    text += std::to_string(i) + ",\"line one\r\nline \"\"two\"\"\"\r\n";
  }
  std::istringstream stream(text);
  CsvReader from_stream(stream);
  Read streamed = ReadAll(from_stream);
  Read memory = ReadText(text);
  ASSERT_EQ(streamed.records.size(), 5001u);
  ASSERT_EQ(memory.records.size(), 5001u);
  for (size_t i = 0; i < memory.records.size(); ++i) {
    ASSERT_EQ(streamed.records[i].fields, memory.records[i].fields) << i;
    ASSERT_EQ(streamed.records[i].line, memory.records[i].line) << i;
  }
  EXPECT_EQ(streamed.records[0].fields[0], "id");
  EXPECT_EQ(streamed.records[5000].fields[1], "line one\r\nline \"two\"");
  EXPECT_EQ(streamed.records[5000].line, 2 + 2 * 4999);
}

TEST(CsvReaderTest, CsvLineRoundTrips) {
  Fields fields = {"plain",       "with,comma", "with \"quote\"",
                   "multi\nline", " padded ",   ""};
  std::string line = CsvLine(fields);
  EXPECT_EQ(line,
            "plain,\"with,comma\",\"with \"\"quote\"\"\",\"multi\nline\","
            "\" padded \",\r\n");
  Read read = ReadText(line + CsvLine({""}));
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[0].fields, fields);
  EXPECT_EQ(read.records[1].fields, (Fields{""}));
}

}  // namespace
}  // namespace tessera::server
