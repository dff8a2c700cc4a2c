// The spelling of an origin as a browser sends it in the Origin header
// (WHATWG URL "ASCII serialization of an origin": lowercase scheme and
// host, no default port, no path), so an allow-list entry written any
// other way, e.g. "https://Shop.example/" or "https://shop.example:443",
// is caught when the server starts instead of silently never matching.
#ifndef TESSERA_SERVER_BROWSER_ORIGIN_H_
#define TESSERA_SERVER_BROWSER_ORIGIN_H_

#include <string>
#include <string_view>

namespace tessera::server {

// "" when `text` is an http(s) origin exactly as browsers serialize it;
// otherwise what is wrong, naming the corrected spelling when there is one.
std::string BrowserOriginProblem(std::string_view text);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_BROWSER_ORIGIN_H_
