// Rotating the PII key (`tessera-server rotate-pii-key`): after a key has
// leaked, or on a schedule, every sealed email and name is opened with the
// current key and sealed again under the next one, and the email-matching
// hashes and row hashes are recomputed with it, all in one transaction. A
// failure part-way (a value the current key cannot open, a crash) leaves
// every row under the current key; there is never a mix of both.
//
// Servers holding the current key must be stopped first: afterwards they
// could no longer open the re-sealed values, and `serve` refuses to start
// with the old key. An import under the old key that is still running (on a
// PostgreSQL replica, say) cannot undo the rotation: each of its batches
// checks the recorded key in its own transaction, so the batches after the
// rotation are refused and the ones before it were re-sealed by it. Backups
// taken before keep the old key's values (see docs/operations.md). Private
// to the server.
#ifndef TESSERA_SERVER_PII_KEY_ROTATION_H_
#define TESSERA_SERVER_PII_KEY_ROTATION_H_

#include <cstdint>

#include "tessera/server/crm_store.h"
#include "tessera/server/pii_cipher.h"

namespace tessera::server {

struct PiiRotationReport {
  int64_t customers_resealed = 0;
  // No value was sealed yet: the next key is simply recorded as the key.
  bool nothing_sealed = false;
};

// Throws PiiError when `current` is not the database's key, when `next` is
// the same key, or when a stored value does not open (naming the customer);
// StoreError when the database fails. Nothing is changed then.
PiiRotationReport RotatePiiKey(CrmStore& store, const PiiCipher& current,
                               const PiiCipher& next);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_PII_KEY_ROTATION_H_
