// JSON views of CRM records, for exports (JSON Lines) and data access
// requests. Emails and names appear only when a PiiCipher is given (they
// are decrypted with it; PiiError when it is the wrong key); without one a
// customer shows only whether they are stored. Stored traits that are not
// JSON (a damaged or edited row) throw StoreError naming the customer.
// Thread-safe, pure.
#ifndef TESSERA_SERVER_CRM_JSON_H_
#define TESSERA_SERVER_CRM_JSON_H_

#include <nlohmann/json.hpp>

#include "tessera/server/crm_store.h"
#include "tessera/server/pii_cipher.h"

namespace tessera::server {

nlohmann::ordered_json CustomerJson(const CustomerRecord& customer,
                                    const PiiCipher* pii);
nlohmann::ordered_json TransactionJson(const TransactionRecord& transaction);
nlohmann::ordered_json IdentityLinkJson(const IdentityLink& link);

// 1234 -> "12.34", -5 -> "-0.05".
std::string FormatCents(int64_t cents);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CRM_JSON_H_
