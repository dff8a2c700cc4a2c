// UTC calendar text for a time in milliseconds since the epoch, for log
// lines and day-granular checks. Private to the server.
#ifndef TESSERA_SERVER_UTC_TEXT_H_
#define TESSERA_SERVER_UTC_TEXT_H_

#include <cstdint>
#include <string>

namespace tessera::server {

// `ms` formatted by strftime's `format` in UTC, e.g. "%Y-%m-%d"; at most
// 63 bytes of text.
std::string UtcText(int64_t ms, const char* format);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_UTC_TEXT_H_
