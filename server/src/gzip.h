// gzip (RFC 1952) through zlib, for responses sent with
// Content-Encoding: gzip to clients that accept it.
#ifndef TESSERA_SERVER_GZIP_H_
#define TESSERA_SERVER_GZIP_H_

#include <string>
#include <string_view>

namespace tessera::server {

// `data` compressed at `level` (1 fastest .. 9 smallest). Throws
// std::runtime_error if zlib fails (out of memory).
std::string Gzip(std::string_view data, int level);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_GZIP_H_
