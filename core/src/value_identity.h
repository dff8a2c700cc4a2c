// Whether two JSON values are the same document exactly: same types, member
// order, and numbers bit for bit (so -0 and 0 differ, and a NaN equals the
// same NaN). Value's operator== is looser. Anything that reads both values
// (a condition, a template, JSON output) gives the same answer for each.
#ifndef TESSERA_SRC_VALUE_IDENTITY_H_
#define TESSERA_SRC_VALUE_IDENTITY_H_

#include "tessera/json.h"

namespace tessera {

bool IdenticalValues(const Value& a, const Value& b);

}  // namespace tessera

#endif  // TESSERA_SRC_VALUE_IDENTITY_H_
