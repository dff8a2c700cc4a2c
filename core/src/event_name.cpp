// Event names in snake_case, so "Add To Cart", "addToCart" and "add-to-cart"
// count as the same event in the profile and in conditions.
#include <string>
#include <string_view>

#include "event_quote.h"
#include "tessera/event.h"

namespace tessera {
namespace {

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSeparator(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-' ||
         c == '_' || c == '.';
}

// A word starts at an upper-case letter that follows a lower-case letter or
// digit ("addToCart"), or that ends a run of capitals ("HTMLParser" ->
// "html_parser").
bool StartsWord(std::string_view s, size_t i) {
  if (i == 0 || !IsUpper(s[i])) return false;
  char prev = s[i - 1];
  if (IsLower(prev) || IsDigit(prev)) return true;
  return IsUpper(prev) && i + 1 < s.size() && IsLower(s[i + 1]);
}

std::string ToSnakeCase(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 4);
  bool pending_underscore = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (IsSeparator(c)) {
      // Leading separators are dropped, runs collapse to one '_'.
      pending_underscore = !out.empty();
      continue;
    }
    if (StartsWord(s, i) && !out.empty()) pending_underscore = true;
    if (pending_underscore) out += '_';
    pending_underscore = false;
    out += IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool IsSnakeCaseIdentifier(std::string_view s) {
  if (s.empty() || !IsLower(s[0])) return false;
  for (char c : s) {
    if (!IsLower(c) && !IsDigit(c) && c != '_') return false;
  }
  return true;
}

}  // namespace

Result<std::string> NormalizeEventName(std::string_view name,
                                       const EventLimits& limits) {
  const std::string prefix = "event name " + QuoteForMessage(name) + ": ";
  if (name.empty()) {
    return Status::InvalidArgument(prefix + "must not be empty");
  }
  std::string snake = ToSnakeCase(name);
  if (snake.empty()) {
    return Status::InvalidArgument(prefix +
                                   "has no letters or digits to form a name");
  }
  if (!IsSnakeCaseIdentifier(snake)) {
    return Status::InvalidArgument(
        prefix + "normalizes to " + QuoteForMessage(snake) +
        ", which must start with a letter and contain only letters, digits, "
        "spaces, '-', '.' or '_' ([a-z][a-z0-9_]* after normalization)");
  }
  if (snake.size() > limits.max_name_length) {
    return Status::InvalidArgument(
        prefix + "is " + IntegerText(snake.size()) +
        " bytes after normalization, longer than the limit of " +
        IntegerText(limits.max_name_length));
  }
  return snake;
}

}  // namespace tessera
