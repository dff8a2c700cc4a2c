// The wire form of responses: what a strict HTTP/1.x client needs to frame
// them, and nothing a handler's header value could smuggle in.
#include "http_response_text.h"

#include <gtest/gtest.h>

namespace tessera::server {
namespace {

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.Set("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

TEST(SerializeResponseTest, FramesABodyWithItsLength) {
  EXPECT_EQ(SerializeResponse(Json(202, R"({"status":"accepted"})"), 11, true),
            "HTTP/1.1 202 Accepted\r\n"
            "Server: tessera-server\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 21\r\n"
            "\r\n"
            R"({"status":"accepted"})");
}

TEST(SerializeResponseTest, AHeadRequestGetsTheSameHeadWithoutTheBody) {
  EXPECT_EQ(
      SerializeResponse(Json(202, R"({"status":"accepted"})"), 11, true, false),
      "HTTP/1.1 202 Accepted\r\n"
      "Server: tessera-server\r\n"
      "Content-Type: application/json\r\n"
      "Content-Length: 21\r\n"
      "\r\n");
}

TEST(SerializeResponseTest, SaysCloseOnlyWhenHttp11StopsKeepingAlive) {
  std::string closing = SerializeResponse(Json(200, "{}"), 11, false);
  EXPECT_NE(closing.find("\r\nConnection: close\r\n"), std::string::npos);
  std::string open = SerializeResponse(Json(200, "{}"), 11, true);
  EXPECT_EQ(open.find("Connection:"), std::string::npos);
}

TEST(SerializeResponseTest, Http10NeedsAnExplicitKeepAlive) {
  std::string kept = SerializeResponse(Json(200, "{}"), 10, true);
  EXPECT_EQ(kept.rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
  EXPECT_NE(kept.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
  std::string closed = SerializeResponse(Json(200, "{}"), 10, false);
  EXPECT_EQ(closed.find("Connection:"), std::string::npos);
}

TEST(SerializeResponseTest, NoContentAndNotModifiedCarryNoBody) {
  for (int status : {204, 304}) {
    std::string text = SerializeResponse(Json(status, "ignored"), 11, true);
    EXPECT_EQ(text.find("Content-Length"), std::string::npos) << status;
    EXPECT_EQ(text.substr(text.size() - 4), "\r\n\r\n") << status;
  }
}

TEST(SerializeResponseTest, ALaterHeaderReplacesAnEarlierOneOfTheSameName) {
  HttpResponse response = Json(200, "{}");
  response.Set("cache-control", "no-store");
  response.Set("Cache-Control", "max-age=60");
  std::string text = SerializeResponse(response, 11, true);
  EXPECT_EQ(text.find("no-store"), std::string::npos);
  EXPECT_NE(text.find("\r\nCache-Control: max-age=60\r\n"), std::string::npos);
}

TEST(SerializeResponseTest, FramingHeadersAreAlwaysItsOwn) {
  HttpResponse response = Json(200, "abc");
  response.Set("Content-Length", "999");
  response.Set("Transfer-Encoding", "chunked");
  response.Set("Connection", "upgrade");
  std::string text = SerializeResponse(response, 11, true);
  EXPECT_EQ(text.find("999"), std::string::npos);
  EXPECT_EQ(text.find("chunked"), std::string::npos);
  EXPECT_EQ(text.find("upgrade"), std::string::npos);
  EXPECT_NE(text.find("\r\nContent-Length: 3\r\n"), std::string::npos);
}

// Values shorter than the eight-byte blocks the check reads, and breaks in
// the last bytes after the blocks, are cleaned too.
TEST(SerializeResponseTest, LineBreaksInShortValuesAndNamesAreDropped) {
  HttpResponse response = Json(200, "{}");
  response.Set("X-A\r\n", "b\nc");
  response.Set("X-Long", "0123456789ab\r\nd");
  std::string text = SerializeResponse(response, 11, true);
  EXPECT_NE(text.find("\r\nX-A: bc\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nX-Long: 0123456789abd\r\n"), std::string::npos);
}

TEST(SerializeResponseTest, LineBreaksInAValueCannotAddAHeader) {
  HttpResponse response = Json(200, "{}");
  response.Set("Access-Control-Allow-Origin",
               "https://a.example\r\nSet-Cookie: x=1");
  std::string text = SerializeResponse(response, 11, true);
  EXPECT_EQ(text.find("\r\nSet-Cookie"), std::string::npos);
  EXPECT_NE(text.find("Access-Control-Allow-Origin: https://a.exampleSet-"),
            std::string::npos);
}

TEST(SerializeResponseTest, UnknownStatusesStillGetAStatusLine) {
  std::string text = SerializeResponse(Json(299, "{}"), 11, true);
  EXPECT_EQ(text.rfind("HTTP/1.1 299 ", 0), 0u);
}

}  // namespace
}  // namespace tessera::server
