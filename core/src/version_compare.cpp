#include "version_compare.h"

namespace tessera {
namespace condition_internal {
namespace {

constexpr size_t kPadWidth = 5;

bool IsAllDigits(std::string_view part) {
  if (part.empty()) return false;
  for (char c : part) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Whether text[i..] starts a JavaScript line terminator (\n, \r, U+2028,
// U+2029), which `.` in /\+.*$/ cannot cross.
bool IsLineTerminatorAt(std::string_view text, size_t i) {
  if (text[i] == '\n' || text[i] == '\r') return true;
  std::string_view next = text.substr(i, 3);
  return next == "\xE2\x80\xA8" || next == "\xE2\x80\xA9";
}

// The text left after GrowthBook's `replace(/(^v|\+.*$)/g, "")`.
std::string_view StripPrefixAndBuild(std::string_view text) {
  size_t begin = 0;
  if (!text.empty() && text[0] == 'v') begin = 1;
  // `\+.*$` matches at the first "+" with no line terminator after it.
  size_t search_from = begin;
  for (size_t i = begin; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '\n' || c == '\r' || c == '\xE2') &&
        IsLineTerminatorAt(text, i)) {
      search_from = i + 1;
    }
  }
  size_t end = text.find('+', search_from);
  if (end == std::string_view::npos) end = text.size();
  return text.substr(begin, end - begin);
}

}  // namespace

PaddedVersion::PaddedVersion(const JsValue& v) {
  std::string number_text;
  std::string_view text = "0";
  if (v.kind == JsValue::Kind::kNumber) {
    AppendJsString(v, &number_text);
    text = number_text;
  } else if (v.kind == JsValue::Kind::kString && !v.string().empty()) {
    text = v.string();
  }
  std::string_view core = StripPrefixAndBuild(text);

  size_t parts = 0;
  size_t start = 0;
  for (size_t i = 0; i <= core.size(); ++i) {
    if (i < core.size() && core[i] != '-' && core[i] != '.') continue;
    std::string_view part = core.substr(start, i - start);
    if (parts > 0) Append('-');
    if (IsAllDigits(part)) {
      for (size_t pad = part.size(); pad < kPadWidth; ++pad) Append(' ');
    }
    Append(part);
    ++parts;
    start = i + 1;
  }
  // A plain major.minor.patch outranks its own pre-releases.
  if (parts == 3) Append("-~");
}

void PaddedVersion::AppendToHeap(std::string_view text) {
  if (heap_.empty()) heap_.assign(inline_, size_);
  heap_.append(text.data(), text.size());
}

std::string PaddedVersionString(const JsValue& v) {
  PaddedVersion padded(v);
  return std::string(padded.view());
}

int CompareVersions(std::string_view padded_a, std::string_view padded_b) {
  return CompareUtf16(padded_a, padded_b);
}

}  // namespace condition_internal
}  // namespace tessera
