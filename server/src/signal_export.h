// One stored signal as a line of a JSON Lines export, the same for the
// `export signals` subcommand and the admin export route:
// {"site":..,"id":..,"vid":..,"received_at_ms":..,"signal":{..}}\n
#ifndef TESSERA_SERVER_SIGNAL_EXPORT_H_
#define TESSERA_SERVER_SIGNAL_EXPORT_H_

#include <string>

#include "tessera/server/store.h"

namespace tessera::server {

void AppendSignalLine(const SignalRecord& signal, std::string* out);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SIGNAL_EXPORT_H_
