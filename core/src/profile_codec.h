// The byte-level primitives of the stored profile format: LEB128 varints,
// zigzag-coded signed integers, little-endian IEEE doubles, length-prefixed
// strings and the CRC-32 that seals the whole record.
//
// ProfileReader never reads past its end and never allocates more than the
// bytes it has left can justify: every length is checked against both a hard
// cap and the remaining input before anything is reserved. On the first
// failure it records a message with the byte offset and every later read
// fails too, so callers may chain reads and check once.
#ifndef TESSERA_SRC_PROFILE_CODEC_H_
#define TESSERA_SRC_PROFILE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "text_builder.h"

namespace tessera {

// The CRC-32 of zlib/PNG/IEEE 802.3 (reflected polynomial 0xEDB88320);
// ProfileCrc32("123456789") == 0xCBF43926.
uint32_t ProfileCrc32(std::string_view bytes);

// Appends to a string through a TextBuilder (a profile is thousands of
// one-byte writes); the string holds exactly the bytes written once the
// writer is gone.
class ProfileWriter {
 public:
  // `expected`: about how many bytes will be written (room claimed at once).
  ProfileWriter(std::string* out, size_t expected) : out_(out, expected) {}

  void PutRaw(std::string_view bytes) { out_.Append(bytes); }
  void PutVarint(uint64_t v);
  void PutSigned(int64_t v);  // zigzag, so small negatives stay short
  void PutDouble(double d);
  void PutFixed32(uint32_t v);
  void PutString(std::string_view s);  // varint length, then the bytes

  // Everything written so far.
  std::string_view written() const { return out_.written(); }

 private:
  TextBuilder out_;
};

class ProfileReader {
 public:
  explicit ProfileReader(std::string_view bytes) : bytes_(bytes) {}

  bool ReadVarint(uint64_t* v, const char* what);
  // A varint that must not exceed `max` (a count, a length, an enum).
  bool ReadBounded(uint64_t max, uint64_t* v, const char* what);
  bool ReadSigned(int64_t* v, const char* what);
  // Only finite doubles are accepted: nothing the profile stores is NaN/inf.
  bool ReadFiniteDouble(double* d, const char* what);
  // A length-prefixed string of at most `max_len` bytes of valid UTF-8.
  bool ReadString(size_t max_len, std::string* s, const char* what);

  // Records a semantic problem found by the caller (ordering, ranges).
  bool Fail(const std::string& message);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace tessera

#endif  // TESSERA_SRC_PROFILE_CODEC_H_
