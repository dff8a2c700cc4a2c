#include "event_date.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "decimal_conversion.h"
#include "event_quote.h"

namespace tessera {
namespace {

constexpr double kSecondsBelow = 1e11;  // smaller epoch numbers are seconds
constexpr const char* kRangeText =
    "must be a date between 1973-03-03T09:46:40Z and 9999-12-31T23:59:59Z";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TrimAscii(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Days since 1970-01-01 of a proleptic Gregorian date (the usual era-based
// conversion: March-based years make the leap day the last day of a year).
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year =
      (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

int DaysInMonth(int64_t year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Reads exactly `count` digits at `*pos`.
bool ReadDigits(std::string_view s, size_t* pos, size_t count, int* out) {
  if (*pos + count > s.size()) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = s[*pos + i];
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  *pos += count;
  *out = value;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

// YYYY-MM-DD[(T|t| )HH:MM[:SS[(.|,)fraction]][Z|z|(+|-)HH[[:]MM]]].
bool ParseIso8601(std::string_view s, int64_t* out_ms) {
  size_t pos = 0;
  int year, month, day;
  if (!ReadDigits(s, &pos, 4, &year) || !Expect(s, &pos, '-') ||
      !ReadDigits(s, &pos, 2, &month) || !Expect(s, &pos, '-') ||
      !ReadDigits(s, &pos, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return false;
  }
  int hour = 0, minute = 0, second = 0, millis = 0, offset_minutes = 0;
  if (pos < s.size()) {
    char sep = s[pos++];
    if (sep != 'T' && sep != 't' && sep != ' ') return false;
    if (!ReadDigits(s, &pos, 2, &hour) || !Expect(s, &pos, ':') ||
        !ReadDigits(s, &pos, 2, &minute)) {
      return false;
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, &pos, 2, &second)) return false;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        size_t digits = 0;
        // Any number of fraction digits; those past milliseconds are dropped.
        while (pos < s.size() && IsDigit(s[pos])) {
          if (digits < 3) millis = millis * 10 + (s[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return false;
        for (; digits < 3; ++digits) millis *= 10;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return false;
    if (pos < s.size()) {
      char zone = s[pos++];
      if (zone == 'Z' || zone == 'z') {
        if (pos != s.size()) return false;
      } else if (zone == '+' || zone == '-') {
        int offset_hours = 0, offset_mins = 0;
        if (!ReadDigits(s, &pos, 2, &offset_hours)) return false;
        if (pos < s.size()) {
          if (s[pos] == ':') ++pos;
          if (!ReadDigits(s, &pos, 2, &offset_mins)) return false;
        }
        if (pos != s.size() || offset_hours > 23 || offset_mins > 59) {
          return false;
        }
        offset_minutes = offset_hours * 60 + offset_mins;
        if (zone == '-') offset_minutes = -offset_minutes;
      } else {
        return false;
      }
    }
  }
  int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 +
                    minute * 60 + second - int64_t{offset_minutes} * 60;
  *out_ms = seconds * 1000 + millis;
  return true;
}

// Epoch numbers: seconds below 1e11, milliseconds from there.
Result<int64_t> EpochToMs(double number, const std::string& shown) {
  if (!std::isfinite(number)) {
    return Status::InvalidArgument(std::string(kRangeText) + ", got " + shown);
  }
  double ms = std::fabs(number) < kSecondsBelow ? number * 1000 : number;
  // Compare as doubles first so that the conversion below cannot overflow.
  if (!(ms >= static_cast<double>(kEarliestEventDateMs) - 0.5 &&
        ms < static_cast<double>(kLatestEventDateMs) + 0.5)) {
    return Status::InvalidArgument(std::string(kRangeText) + ", got " + shown);
  }
  int64_t rounded = std::llround(ms);
  if (rounded < kEarliestEventDateMs || rounded > kLatestEventDateMs) {
    return Status::InvalidArgument(std::string(kRangeText) + ", got " + shown);
  }
  return rounded;
}

}  // namespace

Result<int64_t> ParseEventDate(const Value& value) {
  if (value.is_number()) {
    return EpochToMs(value.as_number(), FormatJsNumber(value.as_number()));
  }
  const std::string expected =
      "must be an ISO-8601 date (like \"2024-03-01T12:30:00Z\") or epoch "
      "seconds/ms";
  if (!value.is_string()) {
    const char* got = value.is_null()    ? "null"
                      : value.is_bool()  ? "a boolean"
                      : value.is_array() ? "an array"
                                         : "an object";
    return Status::InvalidArgument(expected + ", got " + got);
  }
  const std::string& raw = value.as_string();
  std::string_view text = TrimAscii(raw);
  const std::string shown = QuoteForMessage(raw);
  bool epoch_digits = !text.empty();
  size_t dots = 0;
  for (char c : text) {
    if (c == '.') {
      ++dots;
    } else if (!IsDigit(c)) {
      epoch_digits = false;
    }
  }
  if (epoch_digits && dots <= 1 && text.front() != '.' && text.back() != '.') {
    // Only digits and one inner dot get here: no hex, "inf" or locale forms.
    return EpochToMs(decimal::ParseDecimal(text), shown);
  }
  int64_t ms = 0;
  if (!ParseIso8601(text, &ms)) {
    return Status::InvalidArgument(expected + ", got " + shown);
  }
  if (ms < kEarliestEventDateMs || ms > kLatestEventDateMs) {
    return Status::InvalidArgument(std::string(kRangeText) + ", got " + shown);
  }
  return ms;
}

}  // namespace tessera
