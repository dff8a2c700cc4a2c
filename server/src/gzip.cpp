#include "gzip.h"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace tessera::server {

std::string Gzip(std::string_view data, int level) {
  z_stream stream{};
  // 15 bits of window, +16 for the gzip wrapper instead of zlib's.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: cannot initialize zlib");
  }
  std::string out;
  char buffer[64 * 1024];
  size_t offset = 0;
  int result = Z_OK;
  // zlib counts in 32 bits: feed at most 1 GB at a time.
  constexpr size_t kChunk = size_t{1} << 30;
  while (result != Z_STREAM_END) {
    if (stream.avail_in == 0 && offset < data.size()) {
      const size_t take = std::min(kChunk, data.size() - offset);
      stream.next_in =
          reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + offset));
      stream.avail_in = static_cast<uInt>(take);
      offset += take;
    }
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = deflate(&stream, offset == data.size() ? Z_FINISH : Z_NO_FLUSH);
    if (result == Z_STREAM_ERROR) {
      deflateEnd(&stream);
      throw std::runtime_error("gzip: deflate failed");
    }
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  deflateEnd(&stream);
  return out;
}

}  // namespace tessera::server
