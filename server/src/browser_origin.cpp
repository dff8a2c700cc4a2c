#include "browser_origin.h"

#include <cstdint>
#include <optional>

#include "ascii_case.h"

namespace tessera::server {
namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

bool IsIpv6Char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' ||
         c == '.';
}

// The port's value, or nothing when it is not 1-65535 written plainly.
std::optional<uint32_t> PortValue(std::string_view digits) {
  if (digits.empty() || digits.size() > 5 || digits[0] == '0') return {};
  uint32_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return {};
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value > 65535) return {};
  return value;
}

// What is wrong with `text` as a serialized origin, "" if nothing.
std::string SpellingProblem(std::string_view text) {
  std::string_view scheme;
  for (std::string_view candidate : {"http://", "https://"}) {
    if (text.substr(0, candidate.size()) == candidate) scheme = candidate;
  }
  if (scheme.empty()) return "it must start with http:// or https://";
  std::string_view rest = text.substr(scheme.size());
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return "its IPv6 host has no ']'";
    host = rest.substr(0, close + 1);
    for (char c : host.substr(1, host.size() - 2)) {
      if (!IsIpv6Char(c)) return "its IPv6 host holds '" + std::string(1, c) + "'";
    }
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') {
      return "it has something after the host: '" + std::string(rest) + "'";
    }
    if (!rest.empty()) port = rest.substr(1);
  } else {
    size_t colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
    for (char c : host) {
      if (c == '/' || c == '?' || c == '#') {
        return "it has a path, query or fragment; an origin ends at the host "
               "or port";
      }
      if (static_cast<unsigned char>(c) >= 0x80) {
        return "its host is not ASCII; browsers send the punycode form, "
               "xn--...";
      }
      if (!IsHostChar(c)) {
        return "its host holds '" + std::string(1, c) +
               "'; browsers send lowercase letters, digits, '-' and '.'";
      }
    }
  }
  if (host.empty() || host == "[]") return "it has no host";
  if (rest.find(':') == std::string_view::npos) return "";
  std::optional<uint32_t> value = PortValue(port);
  if (!value) {
    return "its port '" + std::string(port) +
           "' is not a number from 1 to 65535 (without a path after it)";
  }
  if ((scheme == "http://" && *value == 80) ||
      (scheme == "https://" && *value == 443)) {
    return "browsers leave the scheme's default port out of the origin";
  }
  return "";
}

// The likely intended origin: lowercase scheme and host, without one
// trailing '/' and without the default port.
std::string Normalized(std::string_view text) {
  std::string origin = AsciiLower(text);
  if (!origin.empty() && origin.back() == '/') origin.pop_back();
  for (const char* suffix : {":80", ":443"}) {
    std::string_view tail(suffix);
    bool http = origin.rfind("http://", 0) == 0;
    if ((tail == ":80") != http) continue;
    if (origin.size() > tail.size() &&
        origin.compare(origin.size() - tail.size(), tail.size(), tail) == 0) {
      origin.resize(origin.size() - tail.size());
    }
  }
  return origin;
}

}  // namespace

std::string BrowserOriginProblem(std::string_view text) {
  std::string problem = SpellingProblem(text);
  if (problem.empty()) return "";
  std::string message = "'" + std::string(text) +
                        "' is not an origin as browsers send it (" + problem +
                        ")";
  std::string normalized = Normalized(text);
  if (normalized != text && SpellingProblem(normalized).empty()) {
    message += "; write '" + normalized + "'";
  }
  return message;
}

}  // namespace tessera::server
