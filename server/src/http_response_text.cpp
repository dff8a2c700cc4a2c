#include "http_response_text.h"

#include <ostream>  // boost/beast/http/status.hpp needs it first
// (Beast 1.74 misses the include itself)
#include <boost/beast/http/status.hpp>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ascii_case.h"
#include "tessera/byte_blocks.h"

namespace tessera::server {
namespace {

// Headers this function writes itself; a handler's copies are ignored.
bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") ||
         EqualsIgnoreCase(name, "Connection") ||
         EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Server");
}

// Marks the line breaks of `block`.
uint64_t LineBreaks(uint64_t block) {
  return byte_blocks::Equal(block, '\r') | byte_blocks::Equal(block, '\n');
}

void AppendWithoutLineBreaks(std::string_view text, std::string& out) {
  // Header texts almost never hold a line break: look first, then append
  // in one piece rather than a byte at a time.
  if (!byte_blocks::AnyBlock(text, LineBreaks)) {
    out.append(text.data(), text.size());
    return;
  }
  for (char c : text) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
}

bool HasBody(int status) {
  return !(status < 200 || status == 204 || status == 304);
}

}  // namespace

std::string SerializeResponse(const HttpResponse& response, unsigned version,
                              bool keep_alive, bool send_body) {
  const int status = response.status;
  boost::beast::string_view reason = boost::beast::http::obsolete_reason(
      static_cast<boost::beast::http::status>(status));
  const bool body = HasBody(status);

  std::string out;
  out.reserve(128 + response.body.size() + 48 * response.headers.size());
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out.append(reason.data(), reason.size());
  out += "\r\nServer: tessera-server\r\n";
  const auto& headers = response.headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    const std::string& name = headers[i].first;
    if (name.empty() || IsFramingHeader(name)) continue;
    bool replaced_later = false;
    for (size_t j = i + 1; j < headers.size() && !replaced_later; ++j) {
      replaced_later = EqualsIgnoreCase(name, headers[j].first);
    }
    if (replaced_later) continue;
    AppendWithoutLineBreaks(name, out);
    out += ": ";
    AppendWithoutLineBreaks(headers[i].second, out);
    out += "\r\n";
  }
  if (body) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  // HTTP/1.1 connections persist unless closed; HTTP/1.0 ones the reverse.
  if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  if (body && send_body) out += response.body;
  return out;
}

}  // namespace tessera::server
