#include "test_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace tessera::server::testing {

std::string ClientResponse::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
  }
  return std::string();
}

TestConnection::TestConnection(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  // A safety net so a broken server fails a test instead of hanging it.
  timeval timeout{20, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) !=
      0) {
    ::close(fd_);
    fd_ = -1;
  }
}

TestConnection::~TestConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestConnection::SendRaw(const std::string& bytes) {
  size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    ssize_t n =
        ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return sent == bytes.size();
}

ClientResponse TestConnection::Read(bool head_request) {
  ClientResponse response;
  auto fill = [this]() {
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  };
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (fd_ < 0 || !fill()) return response;
  }
  std::string head = buffer_.substr(0, header_end);
  buffer_.erase(0, header_end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  response.status = std::atoi(status_line.substr(9, 3).c_str());
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers.emplace_back(line.substr(0, colon), value);
    }
    pos = end + 2;
  }
  size_t length = head_request
                      ? 0
                      : std::strtoul(response.Header("Content-Length").c_str(),
                                     nullptr, 10);
  while (buffer_.size() < length) {
    if (!fill()) break;
  }
  response.body = buffer_.substr(0, length);
  buffer_.erase(0, std::min(length, buffer_.size()));
  return response;
}

bool TestConnection::WaitForClose() {
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

bool TestConnection::ClosedByServer() {
  if (fd_ < 0) return true;
  char byte;
  for (;;) {
    ssize_t n = ::recv(fd_, &byte, 1, MSG_DONTWAIT | MSG_PEEK);
    if (n == 0) return true;
    if (n > 0) {
      // A response before the close: keep it and look past it.
      char chunk[4096];
      ssize_t taken = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
      if (taken > 0) buffer_.append(chunk, static_cast<size_t>(taken));
      continue;
    }
    return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

std::string Serialize(const ClientRequest& request) {
  std::string out = request.method + " " + request.target + " HTTP/1.1\r\n";
  out += "Host: 127.0.0.1\r\n";
  for (const auto& [name, value] : request.headers) {
    out += name + ": " + value + "\r\n";
  }
  if (!request.body.empty() || request.method == "POST" ||
      request.method == "PUT") {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "\r\n" + request.body;
  return out;
}

ClientResponse Send(uint16_t port, const ClientRequest& request) {
  TestConnection connection(port);
  connection.SendRaw(Serialize(request));
  return connection.Read(request.method == "HEAD");
}

ClientResponse PostSignal(uint16_t port, const std::string& key,
                          const std::string& body) {
  ClientRequest request;
  request.method = "POST";
  request.target = "/v1/signals";
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Tessera-Key", key}};
  request.body = body;
  return Send(port, request);
}

std::string Gunzip(std::string_view gzip) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) {
    throw std::runtime_error("gunzip: cannot initialize zlib");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  stream.avail_in = static_cast<uInt>(gzip.size());
  std::string out;
  char buffer[16384];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("gunzip: not gzip");
  return out;
}

}  // namespace tessera::server::testing
