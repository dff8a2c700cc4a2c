// One stored signal as a line of a JSON Lines export, the same for the
// `export signals` subcommand and the admin export route:
// {"site":..,"id":..,"vid":..,"received_at_ms":..,"signal":{..}}\n
#ifndef TESSERA_SERVER_SIGNAL_EXPORT_H_
#define TESSERA_SERVER_SIGNAL_EXPORT_H_

#include <string>

#include "tessera/server/store.h"

namespace tessera::server {

// Throws UnreadableSignalError when the stored body is not JSON.
void AppendSignalLine(const SignalRecord& signal, std::string* out);

// What a reader throws for a stored signal whose body is not JSON (a row
// damaged or edited in the database): it names the signal, so that no
// reader passes the text on as if it were JSON.
StoreError UnreadableSignalError(const SignalRecord& signal);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SIGNAL_EXPORT_H_
