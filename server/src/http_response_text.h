// The wire form of an HttpResponse: status line, headers and body in one
// string, written with a single send. Beast's generic serializer walks a
// chain of buffer views per response, which cost more than the rest of a
// signal's answer; our responses are small and complete in memory, so
// formatting them directly is both simpler and cheaper.
#ifndef TESSERA_SERVER_HTTP_RESPONSE_TEXT_H_
#define TESSERA_SERVER_HTTP_RESPONSE_TEXT_H_

#include <string>

#include "tessera/server/http_server.h"

namespace tessera::server {

// `version` is the request's (10 or 11). The result carries
// Content-Length (except for 1xx, 204 and 304, which have no body and
// send none), the Connection header HTTP/1.x needs for `keep_alive`, and
// `Server: tessera-server`. When the response sets a header twice, the
// last value wins, as with a header map. CR and LF in names or values are
// dropped so that no value can split the header. For a HEAD request
// (`send_body` false) the head is the same, Content-Length included, and
// the body is left out.
std::string SerializeResponse(const HttpResponse& response, unsigned version,
                              bool keep_alive, bool send_body = true);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_HTTP_RESPONSE_TEXT_H_
