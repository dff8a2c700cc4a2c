// The fixture of the CRM suites that run on every engine (test_engines.h):
// a fresh database of the engine the test parameter names, with the signal
// store's schema in place and a CrmStore open on it. Each suite migrates the
// CRM schema itself (some check what Migrate() answers).
#ifndef TESSERA_TESTS_SERVER_CRM_ENGINE_TEST_H_
#define TESSERA_TESTS_SERVER_CRM_ENGINE_TEST_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tessera/server/crm_store.h"
#include "tessera/server/store.h"
#include "test_engines.h"

namespace tessera::server::testing {

class CrmEngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(engine_->Ready(&why)) << why;
    db_ = engine_->NewDatabase();
    OpenStore(db_)->Migrate();
    crm_ = OpenCrmStore(db_);
  }

  // Destroyed last: the store closes before the engine drops its data.
  std::unique_ptr<TestEngine> engine_ = MakeEngine(GetParam());
  std::string db_;
  std::unique_ptr<CrmStore> crm_;
};

}  // namespace tessera::server::testing

#endif  // TESSERA_TESTS_SERVER_CRM_ENGINE_TEST_H_
