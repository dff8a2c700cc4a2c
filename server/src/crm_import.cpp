#include "tessera/server/crm_import.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ascii_case.h"
#include "email_address.h"
#include "tessera/server/digest.h"
#include "tessera/signal.h"
#include "utc_text.h"

namespace tessera::server {
namespace {

constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxTraitBytes = 1024;
constexpr size_t kMaxTraitNameBytes = 64;
constexpr int64_t kMaxQuantity = 1000000000;
constexpr int64_t kMaxAmountCents = 100000000000000;  // 10^12 units

// Columns that would put personal data in clear among the traits.
const char* const kRefusedTraitColumns[] = {
    "phone",      "telephone", "mobile",   "address",   "street",
    "postcode",   "zip",       "zipcode",  "birthdate", "birthday",
    "dob",        "ssn",       "passport", "iban",      "password",
    "first_name", "last_name", "surname",  "full_name", "ip"};

const char kKeyHelp[] =
    "pass --pii-key-file FILE or set TESSERA_PII_KEY (64 hex characters; "
    "make one with `openssl rand -hex 32`)";

std::string Trim(const std::string& text) {
  size_t start = 0, end = text.size();
  while (start < end && (text[start] == ' ' || text[start] == '\t')) ++start;
  while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(start, end - start);
}

bool IsValidUtf8(const std::string& text) {
  size_t i = 0, n = text.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= extra; ++k) {
      if (i + k >= n) return false;
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
        (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

// `value` as a message shows it: in single quotes, control characters
// escaped (\n, \r, \t, \xNN) and cut after kShownBytes with "...", so
// that a reason stays one short line whatever the file held.
std::string Shown(const std::string& value) {
  constexpr size_t kShownBytes = 64;
  size_t end = std::min(value.size(), kShownBytes);
  // Not inside a UTF-8 sequence: back off its continuation bytes.
  while (end < value.size() && end > 0 &&
         (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) {
    --end;
  }
  std::string shown = "'";
  for (size_t i = 0; i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c == '\n') {
      shown += "\\n";
    } else if (c == '\r') {
      shown += "\\r";
    } else if (c == '\t') {
      shown += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      static const char kHex[] = "0123456789abcdef";
      shown += "\\x";
      shown += kHex[c >> 4];
      shown += kHex[c & 0xF];
    } else {
      shown += static_cast<char>(c);
    }
  }
  if (end < value.size()) shown += "...";
  return shown + "'";
}

bool HasControl(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// A row problem: the message names the column.
struct RowProblem {
  std::string message;
};
[[noreturn]] void Reject(std::string message) {
  throw RowProblem{std::move(message)};
}

std::string CheckCustomerId(const std::string& raw) {
  std::string id = Trim(raw);
  if (id.empty()) Reject("customer_id is empty");
  if (id.size() > kMaxIdBytes) {
    Reject("customer_id is longer than " + std::to_string(kMaxIdBytes) +
           " bytes");
  }
  if (HasControl(id)) Reject("customer_id contains control characters");
  if (ContainsEmailAddress(id)) {
    Reject(
        "customer_id looks like an email address; put emails in the "
        "email column");
  }
  return id;
}

bool IsDigits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

constexpr int64_t kMsPerDay = 24 * 60 * 60 * 1000LL;

// "YYYY-MM-DD" or "YYYYMMDD" -> "YYYY-MM-DD", a real calendar day.
std::string CheckDate(const std::string& raw) {
  std::string text = Trim(raw), y, m, d;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    y = text.substr(0, 4);
    m = text.substr(5, 2);
    d = text.substr(8, 2);
  } else if (text.size() == 8) {
    y = text.substr(0, 4);
    m = text.substr(4, 2);
    d = text.substr(6, 2);
  }
  if (!IsDigits(y) || !IsDigits(m) || !IsDigits(d)) {
    Reject("date " + Shown(text) + " is not YYYY-MM-DD or YYYYMMDD");
  }
  int year = std::stoi(y), month = std::stoi(m), day = std::stoi(d);
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int month_days =
      month >= 1 && month <= 12 ? kDays[month - 1] + (month == 2 && leap) : 0;
  if (year < 1900 || year > 2999 || day < 1 || day > month_days) {
    Reject("date " + Shown(text) +
           " is not a calendar day between 1900 and 2999");
  }
  return y + "-" + m + "-" + d;
}

int64_t CheckQuantity(const std::string& raw) {
  std::string text = Trim(raw);
  if (!IsDigits(text) || text.size() > 10 || std::stoll(text) > kMaxQuantity) {
    Reject("quantity " + Shown(text) + " is not a whole number from 0 to " +
           std::to_string(kMaxQuantity));
  }
  return std::stoll(text);
}

// "-12.5" -> -1250; at most 2 decimals.
int64_t CheckAmount(const std::string& raw) {
  std::string text = Trim(raw);
  std::string digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.erase(0, 1);
  }
  std::string whole = digits, fraction;
  if (size_t dot = digits.find('.'); dot != std::string::npos) {
    whole = digits.substr(0, dot);
    fraction = digits.substr(dot + 1);
  }
  bool ok = IsDigits(whole) && whole.size() <= 13 && fraction.size() <= 2 &&
            (fraction.empty() || IsDigits(fraction)) &&
            !(digits.find('.') != std::string::npos && fraction.empty());
  if (!ok) {
    Reject("amount " + Shown(text) +
           " is not a decimal number with at most 2 decimals" +
           (text.find(',') != std::string::npos
                ? " (write it with '.' as the decimal point and no grouping)"
                : ""));
  }
  while (fraction.size() < 2) fraction.push_back('0');
  int64_t cents = std::stoll(whole) * 100 + std::stoll(fraction);
  if (cents > kMaxAmountCents) {
    Reject("amount " + Shown(text) + " is too large");
  }
  return negative ? -cents : cents;
}

std::string JoinForHash(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& part : parts) {
    out += part;
    out.push_back('\x1f');
  }
  return out;
}

// Accumulates rows and writes them in batches.
class Importer {
 public:
  Importer(CrmStore& store, const ImportOptions& options, int64_t now_ms)
      : store_(store),
        options_(options),
        now_ms_(now_ms),
        latest_day_(UtcText(now_ms + kMsPerDay, "%Y-%m-%d")) {}

  // A transaction's day, checked: a real calendar day, and not after
  // tomorrow (UTC, so that no time zone's today is refused). A future
  // purchase would count as the customer's latest until its date came.
  std::string TransactionDay(const std::string& raw) const {
    std::string day = CheckDate(raw);
    if (day > latest_day_) {
      Reject("date '" + day + "' is in the future (the latest accepted is " +
             latest_day_ + ")");
    }
    return day;
  }

  void RowError(int64_t line, std::string message) {
    ImportRowError error{line, std::move(message)};
    ++summary_.rejected;
    if (options_.on_error) options_.on_error(error);
    if (summary_.errors.size() < options_.max_errors_kept) {
      summary_.errors.push_back(std::move(error));
    }
  }

  void AddCustomer(CustomerRecord customer) {
    customers_.push_back(std::move(customer));
    if (customers_.size() >= options_.batch_rows) Flush();
  }
  void AddTransaction(TransactionRecord transaction) {
    transactions_.push_back(std::move(transaction));
    if (transactions_.size() >= options_.batch_rows) Flush();
  }

  void Flush() {
    if (!customers_.empty()) {
      Tally(store_.UpsertCustomers(
          customers_, now_ms_,
          options_.pii ? options_.pii->KeyCheck() : std::string()));
      customers_.clear();
    }
    if (!transactions_.empty()) {
      TransactionBatchOutcome outcome =
          store_.UpsertTransactions(transactions_, now_ms_);
      summary_.customers_created += outcome.customers_created;
      Tally(outcome.rows);
      transactions_.clear();
    }
  }

  ImportSummary& summary() { return summary_; }

 private:
  void Tally(const std::vector<RowOutcome>& outcomes) {
    for (RowOutcome outcome : outcomes) {
      if (outcome == RowOutcome::kInserted) ++summary_.inserted;
      if (outcome == RowOutcome::kUpdated) ++summary_.updated;
      if (outcome == RowOutcome::kUnchanged) ++summary_.unchanged;
    }
  }

  CrmStore& store_;
  const ImportOptions& options_;
  int64_t now_ms_;
  std::string latest_day_;  // YYYY-MM-DD
  ImportSummary summary_;
  std::vector<CustomerRecord> customers_;
  std::vector<TransactionRecord> transactions_;
};

// Keeps a transaction's identity stable across re-imports of a file.
class TransactionKeys {
 public:
  // Fills row_key and row_hash; rejects a transaction_id seen earlier.
  void Assign(TransactionRecord& t, int64_t line) {
    std::string content = JoinForHash(
        {"transactions v1", t.customer_id, t.day, std::to_string(t.quantity),
         std::to_string(t.amount_cents), t.transaction_id});
    t.row_hash = Sha256Hex(content);
    if (!t.transaction_id.empty()) {
      auto [it, fresh] = ids_.emplace(t.transaction_id, line);
      if (!fresh) {
        Reject("transaction_id '" + t.transaction_id +
               "' already appeared on line " + std::to_string(it->second) +
               "; the first row is kept");
      }
      t.row_key = "id:" + t.transaction_id;
      return;
    }
    // Identical rows are distinct purchases (CDNOW has them): the n-th
    // copy in a file gets the n-th key, every time the file is imported.
    int occurrence = ++occurrences_[t.row_hash];
    t.row_key = "h:" + Sha256Hex(t.row_hash + "#" + std::to_string(occurrence));
  }

 private:
  std::unordered_map<std::string, int64_t> ids_;
  std::unordered_map<std::string, int> occurrences_;
};

struct Header {
  std::vector<std::string> names;  // lower-cased, trimmed
  int Find(const std::string& name) const {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

Header ReadHeader(CsvReader& reader, const char* expected) {
  CsvRecord record;
  CsvError error;
  CsvReader::Outcome outcome = reader.Next(&record, &error);
  if (reader.input_failed()) throw ImportError("reading the input failed");
  if (outcome == CsvReader::Outcome::kEnd) {
    throw ImportError(
        std::string("the file is empty; expected a header row (") + expected +
        ")");
  }
  if (outcome == CsvReader::Outcome::kError) {
    throw ImportError("line " + std::to_string(error.line) +
                      ": the header row is not valid CSV: " + error.message);
  }
  // Spreadsheets' "Unicode text" exports; read as bytes, every other one
  // is a NUL.
  const std::string& first = record.fields.front();
  if (first.rfind("\xFF\xFE", 0) == 0 || first.rfind("\xFE\xFF", 0) == 0) {
    throw ImportError(
        "the file is UTF-16 (it starts with a UTF-16 byte order mark); save "
        "it as UTF-8 CSV or convert it, e.g. `iconv -f UTF-16 -t UTF-8`");
  }
  Header header;
  std::set<std::string> seen;
  for (std::string& field : record.fields) {
    std::string name = AsciiLower(Trim(field));
    if (name.empty()) {
      throw ImportError("line " + std::to_string(record.line) +
                        ": the header has an empty column name (column " +
                        std::to_string(header.names.size() + 1) + ")");
    }
    if (!seen.insert(name).second) {
      throw ImportError("line " + std::to_string(record.line) +
                        ": the header names column " + Shown(name) + " twice");
    }
    header.names.push_back(name);
  }
  return header;
}

bool IsTraitName(const std::string& name) {
  if (name.empty() || name.size() > kMaxTraitNameBytes) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Reads every CSV record after the header, handing valid ones to `row`.
void ForEachCsvRow(CsvReader& reader, Importer& importer, size_t columns,
                   const std::function<void(const CsvRecord&)>& row) {
  CsvRecord record;
  CsvError error;
  for (;;) {
    CsvReader::Outcome outcome = reader.Next(&record, &error);
    if (outcome == CsvReader::Outcome::kEnd) break;
    if (outcome == CsvReader::Outcome::kError) {
      importer.RowError(error.line, error.message);
      continue;
    }
    if (record.fields.size() != columns) {
      importer.RowError(record.line, "expected " + std::to_string(columns) +
                                         " fields (as in the header), found " +
                                         std::to_string(record.fields.size()));
      continue;
    }
    bool utf8 = true;
    for (const std::string& field : record.fields) utf8 &= IsValidUtf8(field);
    if (!utf8) {
      importer.RowError(record.line, "the row is not valid UTF-8");
      continue;
    }
    try {
      row(record);
    } catch (const RowProblem& problem) {
      importer.RowError(record.line, problem.message);
    }
  }
  if (reader.input_failed()) throw ImportError("reading the input failed");
}

void ImportCustomersCsv(CsvReader& reader, Importer& importer,
                        const ImportOptions& options) {
  Header header =
      ReadHeader(reader, "customer_id, email, name, then trait columns");
  int id_column = header.Find("customer_id");
  int email_column = header.Find("email");
  int name_column = header.Find("name");
  if (id_column < 0) {
    throw ImportError("the header has no customer_id column (found: " + [&] {
      std::string list;
      for (const auto& n : header.names) list += (list.empty() ? "" : ", ") + n;
      return list;
    }() + ")");
  }
  for (size_t i = 0; i < header.names.size(); ++i) {
    const std::string& name = header.names[i];
    if (static_cast<int>(i) == id_column ||
        static_cast<int>(i) == email_column ||
        static_cast<int>(i) == name_column) {
      continue;
    }
    if (!IsTraitName(name)) {
      throw ImportError("trait column " + Shown(name) +
                        " is not 1-64 characters of a-z, 0-9 and _");
    }
    for (const char* refused : kRefusedTraitColumns) {
      if (name == refused) {
        throw ImportError(
            "column '" + name +
            "' looks like personal data; traits are stored in clear and only "
            "email and name are accepted (and encrypted) as PII");
      }
    }
  }
  const PiiCipher* pii = options.pii;
  if ((email_column >= 0 || name_column >= 0) && !pii) {
    throw ImportError(
        "the file has an email or name column (PII, stored encrypted) but no "
        "PII key was given: " +
        std::string(kKeyHelp));
  }
  std::unordered_map<std::string, int64_t> seen;
  ForEachCsvRow(reader, importer, header.names.size(), [&](const CsvRecord& r) {
    CustomerRecord c;
    c.site = options.site;
    c.customer_id = CheckCustomerId(r.fields[id_column]);
    std::string email, name;
    if (email_column >= 0) {
      email = PiiCipher::NormalizeEmail(r.fields[email_column]);
      if (!email.empty() && !IsValidEmailAddress(email)) {
        Reject("email is not a valid address");
      }
    }
    if (name_column >= 0) {
      name = Trim(r.fields[name_column]);
      if (name.size() > kMaxNameBytes) {
        Reject("name is longer than " + std::to_string(kMaxNameBytes) +
               " bytes");
      }
      if (HasControl(name)) Reject("name contains control characters");
    }
    nlohmann::json traits = nlohmann::json::object();
    for (size_t i = 0; i < header.names.size(); ++i) {
      int column = static_cast<int>(i);
      if (column == id_column || column == email_column ||
          column == name_column) {
        continue;
      }
      std::string value = Trim(r.fields[i]);
      if (value.empty()) continue;
      if (value.size() > kMaxTraitBytes) {
        Reject("trait '" + header.names[i] + "' is longer than " +
               std::to_string(kMaxTraitBytes) + " bytes");
      }
      if (ContainsEmailAddress(value)) {
        Reject("trait '" + header.names[i] +
               "' holds an email address; traits are stored in clear");
      }
      traits[header.names[i]] = value;
    }
    c.traits_json = traits.dump();
    auto [it, fresh] = seen.emplace(c.customer_id, r.line);
    if (!fresh) {
      Reject("customer_id '" + c.customer_id + "' already appeared on line " +
             std::to_string(it->second) + "; the first row is kept");
    }
    SealCustomerPii(pii, email, name, &c);
    importer.AddCustomer(std::move(c));
  });
}

void ImportTransactionsCsv(CsvReader& reader, Importer& importer,
                           const ImportOptions& options) {
  const char* expected =
      "customer_id, date, quantity, amount, optional transaction_id";
  Header header = ReadHeader(reader, expected);
  for (const std::string& name : header.names) {
    if (name != "customer_id" && name != "date" && name != "quantity" &&
        name != "amount" && name != "transaction_id") {
      throw ImportError("unknown transactions column " + Shown(name) +
                        " (expected " + expected + ")");
    }
  }
  for (const char* required : {"customer_id", "date", "quantity", "amount"}) {
    if (header.Find(required) < 0) {
      throw ImportError(std::string("the header has no ") + required +
                        " column (expected " + expected + ")");
    }
  }
  int id = header.Find("customer_id"), date = header.Find("date"),
      quantity = header.Find("quantity"), amount = header.Find("amount"),
      tid = header.Find("transaction_id");
  TransactionKeys keys;
  ForEachCsvRow(reader, importer, header.names.size(), [&](const CsvRecord& r) {
    TransactionRecord t;
    t.site = options.site;
    t.customer_id = CheckCustomerId(r.fields[id]);
    t.day = importer.TransactionDay(r.fields[date]);
    t.quantity = CheckQuantity(r.fields[quantity]);
    t.amount_cents = CheckAmount(r.fields[amount]);
    if (tid >= 0) {
      t.transaction_id = Trim(r.fields[tid]);
      if (t.transaction_id.size() > kMaxIdBytes ||
          HasControl(t.transaction_id)) {
        Reject(
            "transaction_id is longer than 128 bytes or has control "
            "characters");
      }
    }
    keys.Assign(t, r.line);
    importer.AddTransaction(std::move(t));
  });
}

std::vector<std::string> SplitWhitespace(const std::string& line) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  return tokens;
}

void ImportCdnow(std::istream& input, Importer& importer,
                 const ImportOptions& options) {
  TransactionKeys keys;
  int64_t line_number = 0;
  bool seen_data = false;
  std::string line;
  for (;;) {
    // One line, bounded: a line past the limit is skipped and reported.
    line.clear();
    bool too_long = false, any = false;
    int c;
    while ((c = input.get()) != EOF) {
      any = true;
      if (c == '\n') break;
      if (line.size() >= options.csv.max_record_bytes) {
        too_long = true;
      } else {
        line.push_back(static_cast<char>(c));
      }
    }
    if (!any) break;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0)
      line.erase(0, 3);
    if (too_long) {
      importer.RowError(line_number,
                        "line longer than " +
                            std::to_string(options.csv.max_record_bytes) +
                            " bytes");
      continue;
    }
    std::vector<std::string> tokens = SplitWhitespace(line);
    if (tokens.empty()) continue;
    if (!seen_data && !IsDigits(tokens[0])) {
      seen_data = true;  // the header line, e.g. "customer_id date ..."
      continue;
    }
    seen_data = true;
    try {
      if (tokens.size() != 4 && tokens.size() != 5) {
        Reject(
            "expected 4 fields (customer_id date number_of_cds "
            "dollar_value) or 5 (master_id sample_id date cds value), "
            "found " +
            std::to_string(tokens.size()));
      }
      size_t at = tokens.size() - 3;  // the date's position
      TransactionRecord t;
      t.site = options.site;
      t.customer_id = CheckCustomerId(tokens[0]);
      t.day = importer.TransactionDay(tokens[at]);
      t.quantity = CheckQuantity(tokens[at + 1]);
      t.amount_cents = CheckAmount(tokens[at + 2]);
      keys.Assign(t, line_number);
      importer.AddTransaction(std::move(t));
    } catch (const RowProblem& problem) {
      importer.RowError(line_number, problem.message);
    }
  }
  if (input.bad()) throw ImportError("reading the input failed");
}

}  // namespace

const char* ImportKindName(ImportKind kind) {
  return kind == ImportKind::kCustomers ? "customers" : "transactions";
}

std::optional<ImportKind> ParseImportKind(const std::string& name) {
  if (name == "customers") return ImportKind::kCustomers;
  if (name == "transactions") return ImportKind::kTransactions;
  return std::nullopt;
}

std::optional<ImportFormat> ParseImportFormat(const std::string& name) {
  if (name == "csv") return ImportFormat::kCsv;
  if (name == "cdnow") return ImportFormat::kCdnow;
  return std::nullopt;
}

std::optional<char> ParseCsvDelimiter(const std::string& name) {
  if (name.empty() || name == "auto") return '\0';
  if (name == "," || name == ";") return name[0];
  if (name == "tab" || name == "\t") return '\t';
  return std::nullopt;
}

std::string ImportSummary::Describe(ImportKind kind) const {
  std::string text = std::to_string(inserted) + " inserted, " +
                     std::to_string(updated) + " updated, " +
                     std::to_string(unchanged) + " unchanged, " +
                     std::to_string(rejected) + " rejected";
  if (kind == ImportKind::kTransactions) {
    text += ", " + std::to_string(customers_created) + " new customers";
  }
  if (!changed()) text += " (nothing changed)";
  return text;
}

void VerifyPiiKey(CrmStore& store, const PiiCipher& pii, bool record) {
  std::string check = pii.KeyCheck();
  std::optional<std::string> stored =
      record ? std::optional<std::string>(store.RecordPiiKeyCheck(check))
             : store.PiiKeyCheck();
  if (stored && *stored != check) {
    throw PiiError(
        "the PII key is not the key this database's emails and names were "
        "encrypted with (key check " +
        check.substr(0, 8) + "... vs recorded " + stored->substr(0, 8) +
        "...); use the original key");
  }
}

void SealCustomerPii(const PiiCipher* pii, const std::string& email,
                     const std::string& name, CustomerRecord* customer) {
  CustomerRecord& c = *customer;
  c.email_hmac.clear();
  c.email_sealed.clear();
  c.name_sealed.clear();
  // The row hash covers the PII through keyed hashes only, so that a
  // database copy does not let anyone confirm a guessed email by hashing it.
  std::string email_hash, name_hash;
  if (!email.empty()) {
    c.email_hmac = pii->EmailHmac(email);
    c.email_sealed =
        pii->Encrypt(email, PiiContext(c.site, c.customer_id, "email"));
    email_hash = pii->KeyedHash("row-email", email);
  }
  if (!name.empty()) {
    c.name_sealed =
        pii->Encrypt(name, PiiContext(c.site, c.customer_id, "name"));
    name_hash = pii->KeyedHash("row-name", name);
  }
  c.row_hash = Sha256Hex(JoinForHash(
      {"customers v1", c.customer_id, email_hash, name_hash, c.traits_json}));
}

std::string PiiContext(const std::string& site, const std::string& customer_id,
                       const char* field) {
  // Lengths first, so no two (site, id, field) triples share a context.
  return std::string("tessera-crm-v1:") + field + ":" +
         std::to_string(site.size()) + ":" + site + ":" +
         std::to_string(customer_id.size()) + ":" + customer_id;
}

ImportSummary ImportCrm(CrmStore& store, std::istream& input,
                        const ImportOptions& options, int64_t now_ms) {
  if (!IsSiteName(options.site)) {
    throw ImportError("site '" + options.site +
                      "' is not 1-64 characters of A-Z, a-z, 0-9, _ . -");
  }
  if (options.format == ImportFormat::kCdnow &&
      options.kind == ImportKind::kCustomers) {
    throw ImportError(
        "the cdnow format holds transactions; import it as transactions "
        "(its customers are created from them)");
  }
  if (options.pii) VerifyPiiKey(store, *options.pii, true);
  ImportOptions effective = options;
  if (effective.batch_rows == 0) effective.batch_rows = 1;
  Importer importer(store, effective, now_ms);
  if (options.format == ImportFormat::kCdnow) {
    ImportCdnow(input, importer, effective);
  } else {
    CsvReader reader(input, effective.csv);
    if (options.kind == ImportKind::kCustomers) {
      ImportCustomersCsv(reader, importer, effective);
    } else {
      ImportTransactionsCsv(reader, importer, effective);
    }
  }
  importer.Flush();
  return std::move(importer.summary());
}

}  // namespace tessera::server
