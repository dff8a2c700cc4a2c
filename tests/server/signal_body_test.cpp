// What is stored for a signal received as JSON: its own text without the
// whitespace between tokens (one line, so exports stay JSON Lines), equal as
// a value to what was validated — also when the text repeats a key.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "temp_dir.h"
#include "tessera/json.h"
#include "tessera/server/api_key.h"
#include "tessera/server/server.h"
#include "test_http_client.h"

namespace tessera::server {
namespace {

using testing::TempDir;

std::string ExampleText() {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) +
                   "/docs/examples/signal.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `text` with the value of its first "id" member replaced.
std::string WithId(std::string text, const std::string& id) {
  size_t key = text.find("\"id\"");
  size_t open = text.find('"', text.find(':', key));
  size_t close = text.find('"', open + 1);
  return text.replace(open + 1, close - open - 1, id);
}

class SignalBodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ServeOptions options;
    options.db = dir_.File("data/tessera.db");
    options.port = 0;
    options.threads = 1;
    options.durable = false;
    server_ = std::make_unique<TesseraServer>(options);
    server_->Start();
    runner_ = std::thread([this] { server_->Run(); });
    key_ = CreateApiKey(server_->store(), "demo", KeyKind::kWrite);
  }
  void TearDown() override {
    server_->Stop();
    runner_.join();
  }

  int Post(const std::string& body) {
    testing::ClientRequest request;
    request.method = "POST";
    request.target = "/v1/signals";
    request.headers = {{"Content-Type", "application/json"},
                       {"X-Tessera-Key", key_}};
    request.body = body;
    return testing::Send(server_->port(), request).status;
  }

  std::string StoredBody(const std::string& id) {
    std::string found;
    server_->store().ForEachSignal("demo", [&](const SignalRecord& signal) {
      if (signal.id == id) found = signal.body;
    });
    return found;
  }

  TempDir dir_;
  std::unique_ptr<TesseraServer> server_;
  std::thread runner_;
  std::string key_;
};

TEST_F(SignalBodyTest, PrettyPrintedJsonIsStoredOnOneLineAndEqual) {
  std::string text = WithId(ExampleText(), "sig_pretty_000000000001");
  ASSERT_NE(text.find('\n'), std::string::npos) << "the example is one line";
  ASSERT_EQ(Post(text), 202);
  std::string stored = StoredBody("sig_pretty_000000000001");
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.find('\n'), std::string::npos) << stored;
  EXPECT_EQ(stored.find(": "), std::string::npos) << stored;
  Result<Value> sent = ParseJson(text);
  Result<Value> kept = ParseJson(stored);
  ASSERT_TRUE(sent.ok() && kept.ok()) << stored;
  EXPECT_TRUE(sent.value() == kept.value()) << stored;
}

TEST_F(SignalBodyTest, SpacesColonsAndEscapesInsideStringsAreKept) {
  // A segment label may hold spaces, colons and quotes.
  std::string label = R"(a : b \"c\" ,  d)";
  std::string text = WithId(ExampleText(), "sig_strings_00000000001");
  size_t at = text.find("returning_visitor");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string("returning_visitor").size(), label);
  ASSERT_EQ(Post(text), 202);
  std::string stored = StoredBody("sig_strings_00000000001");
  EXPECT_NE(stored.find("\"seg\":[\"" + label + "\","), std::string::npos)
      << stored;
}

TEST_F(SignalBodyTest, RepeatedKeyIsStoredAsTheValidatedValue) {
  // The parser keeps the last "site"; the stored text must not keep the
  // first one for a reader that would take it.
  std::string text = WithId(ExampleText(), "sig_dupkey_000000000001");
  text.insert(text.find('{') + 1, "\"site\": \"elsewhere\",");
  ASSERT_EQ(Post(text), 202);
  std::string stored = StoredBody("sig_dupkey_000000000001");
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.find("elsewhere"), std::string::npos) << stored;
  Result<Value> kept = ParseJson(stored);
  ASSERT_TRUE(kept.ok()) << stored;
  EXPECT_EQ(kept.value().find("site")->string_or(""), "demo");
}

}  // namespace
}  // namespace tessera::server
