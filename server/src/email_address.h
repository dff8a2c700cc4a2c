// The shape of an e-mail address as CRM imports and data subject requests
// accept it (after PiiCipher::NormalizeEmail): one '@' with 1-64 bytes
// before it, a dotted domain after it, at most 254 bytes, and none of the
// characters that only quoted or display forms use. Deliberately simpler
// than RFC 5322: it only has to tell addresses from typos and ids.
#ifndef TESSERA_SERVER_EMAIL_ADDRESS_H_
#define TESSERA_SERVER_EMAIL_ADDRESS_H_

#include <string_view>

namespace tessera::server {

bool IsValidEmailAddress(std::string_view email);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_EMAIL_ADDRESS_H_
