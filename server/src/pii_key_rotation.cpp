#include "pii_key_rotation.h"

#include <optional>
#include <string>

#include "tessera/server/crm_import.h"

namespace tessera::server {
namespace {

// The value `field` of `customer` sealed as `sealed`, opened with `key`; ""
// when there is none.
std::string Open(const PiiCipher& key, const CustomerRecord& customer,
                 const std::string& sealed, const char* field) {
  if (sealed.empty()) return {};
  try {
    return key.Decrypt(sealed,
                       PiiContext(customer.site, customer.customer_id, field));
  } catch (const PiiError& error) {
    throw PiiError("the " + std::string(field) + " of customer '" +
                   customer.customer_id + "' (site " + customer.site +
                   ") does not open with the current key (" + error.what() +
                   "); nothing was re-sealed");
  }
}

}  // namespace

PiiRotationReport RotatePiiKey(CrmStore& store, const PiiCipher& current,
                               const PiiCipher& next) {
  if (current.KeyCheck() == next.KeyCheck()) {
    throw PiiError(
        "the new PII key is the current key; make a new one with "
        "`openssl rand -hex 32`");
  }
  PiiRotationReport report;
  std::optional<std::string> recorded = store.PiiKeyCheck();
  if (!recorded) {
    // From now on imports must use the next key, as after a rotation.
    if (store.RecordPiiKeyCheck(next.KeyCheck()) != next.KeyCheck()) {
      throw PiiError(
          "an import recorded its PII key while the rotation ran; "
          "stop every server and import, then rotate again");
    }
    report.nothing_sealed = true;
    return report;
  }
  VerifyPiiKey(store, current, false);
  report.customers_resealed = store.ResealPii(
      current.KeyCheck(), next.KeyCheck(), [&](CustomerRecord& customer) {
        std::string email =
            Open(current, customer, customer.email_sealed, "email");
        std::string name =
            Open(current, customer, customer.name_sealed, "name");
        SealCustomerPii(&next, email, name, &customer);
      });
  return report;
}

}  // namespace tessera::server
