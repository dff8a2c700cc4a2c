#include "profile_codec.h"

#include <cmath>
#include <cstring>

#include "tessera/json.h"

namespace tessera {

namespace {

// The CRC of each byte value, and of that byte followed by one, two and
// three zero bytes, made at first use rather than stored: 4 KB of constants
// would cost more in the wasm download than the few bytes of code that fill
// them. With the four, a step takes in four bytes at once ("slicing by 4"),
// which makes saving a profile (every page view) several times cheaper
// than a byte at a time.
struct Crc32Tables {
  uint32_t entries[4][256];
  Crc32Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t crc = i;
      for (int bit = 0; bit < 8; ++bit) {
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
      }
      entries[0][i] = crc;
    }
    for (int k = 1; k < 4; ++k) {
      for (uint32_t i = 0; i < 256; ++i) {
        const uint32_t previous = entries[k - 1][i];
        entries[k][i] = (previous >> 8) ^ entries[0][previous & 0xFFu];
      }
    }
  }
};

}  // namespace

uint32_t ProfileCrc32(std::string_view bytes) {
  static const Crc32Tables tables;
  const auto& t = tables.entries;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  uint32_t crc = 0xFFFFFFFFu;
  for (; n >= 4; n -= 4, p += 4) {
    crc ^= uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
           uint32_t{p[3]} << 24;
    crc = t[3][crc & 0xFFu] ^ t[2][(crc >> 8) & 0xFFu] ^
          t[1][(crc >> 16) & 0xFFu] ^ t[0][crc >> 24];
  }
  for (; n > 0; --n, ++p) crc = (crc >> 8) ^ t[0][(crc ^ *p) & 0xFFu];
  return ~crc;
}

// The multi-byte values are put together first and appended at once: one
// bounds check each instead of one per byte.
void ProfileWriter::PutVarint(uint64_t v) {
  char bytes[10];
  size_t n = 0;
  while (v >= 0x80) {
    bytes[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  bytes[n++] = static_cast<char>(v);
  out_.Append(bytes, n);
}

void ProfileWriter::PutSigned(int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  PutVarint((u << 1) ^ (v < 0 ? ~uint64_t{0} : uint64_t{0}));
}

void ProfileWriter::PutDouble(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(bits >> (8 * i));
  out_.Append(bytes, sizeof bytes);
}

void ProfileWriter::PutFixed32(uint32_t v) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(v >> (8 * i));
  out_.Append(bytes, sizeof bytes);
}

void ProfileWriter::PutString(std::string_view s) {
  PutVarint(s.size());
  PutRaw(s);
}

bool ProfileReader::Fail(const std::string& message) {
  if (error_.empty()) {
    error_ = message + " (at byte " + IntegerText(pos_) + ")";
  }
  return false;
}

bool ProfileReader::ReadVarint(uint64_t* v, const char* what) {
  if (!ok()) return false;
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= bytes_.size()) {
      return Fail(std::string("truncated inside ") + what);
    }
    uint8_t b = static_cast<uint8_t>(bytes_[pos_++]);
    // The tenth byte may carry only the top bit of a 64-bit value.
    if (shift == 63 && b > 1) {
      return Fail(std::string(what) + " overflows 64 bits");
    }
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      // Overlong forms (trailing zero groups) would let two byte strings
      // decode to the same profile and break byte-exact re-serialization.
      if (b == 0 && shift > 0) {
        return Fail(std::string(what) + " is not minimally encoded");
      }
      *v = result;
      return true;
    }
  }
  return Fail(std::string(what) + " overflows 64 bits");
}

bool ProfileReader::ReadBounded(uint64_t max, uint64_t* v, const char* what) {
  if (!ReadVarint(v, what)) return false;
  if (*v > max) {
    return Fail(std::string(what) + " is " + IntegerText(*v) +
                ", more than the limit " + IntegerText(max));
  }
  return true;
}

bool ProfileReader::ReadSigned(int64_t* v, const char* what) {
  uint64_t u;
  if (!ReadVarint(&u, what)) return false;
  *v = static_cast<int64_t>((u >> 1) ^ (0 - (u & 1)));
  return true;
}

bool ProfileReader::ReadFiniteDouble(double* d, const char* what) {
  if (!ok()) return false;
  if (remaining() < 8) return Fail(std::string("truncated inside ") + what);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    bits |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[pos_ + i]))
            << (8 * i);
  }
  std::memcpy(d, &bits, sizeof bits);
  if (!std::isfinite(*d)) return Fail(std::string(what) + " is not finite");
  pos_ += 8;
  return true;
}

bool ProfileReader::ReadString(size_t max_len, std::string* s,
                               const char* what) {
  uint64_t len;
  if (!ReadBounded(max_len, &len, what)) return false;
  if (len > remaining()) {
    return Fail(std::string(what) + " claims " + IntegerText(len) +
                " bytes but only " + IntegerText(remaining()) + " remain");
  }
  std::string_view view = bytes_.substr(pos_, static_cast<size_t>(len));
  if (!IsValidUtf8(view)) return Fail(std::string(what) + " is not UTF-8");
  s->assign(view.data(), view.size());
  pos_ += static_cast<size_t>(len);
  return true;
}

}  // namespace tessera
