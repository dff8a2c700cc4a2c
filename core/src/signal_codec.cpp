#include <cstring>
#include <string>

#include "tessera/cbor.h"
#include "tessera/signal.h"

namespace tessera {
namespace {

// A valid signal nests four levels (root > imp > slot > count); a little
// headroom lets a too-deep body fail with a schema problem that names the
// path rather than a bare depth error.
constexpr size_t kMaxSignalDepth = 16;
// Far above what the caps allow a valid signal, far below what a hostile
// 64 KiB body could otherwise make the decoder allocate.
constexpr size_t kMaxSignalItems = 16 * 1024;

// Object members in a parsed value, nested ones included.
size_t CountMembers(const Value& value) {
  size_t count = 0;
  if (value.is_object()) {
    for (const Member& member : value.as_object()) {
      count += 1 + CountMembers(member.value);
    }
  } else if (value.is_array()) {
    for (const Value& item : value.as_array()) count += CountMembers(item);
  }
  return count;
}

}  // namespace

std::string StoredSignalJson(std::string_view text, const Value& parsed) {
  std::string out;
  out.resize(text.size());
  char* const begin = out.data();
  char* write = begin;
  size_t members = 0;  // one ':' outside strings per object member
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const char c = text[i];
    if (c == '"') {
      // Copy the whole string, escapes included, in one go; the plain runs
      // between escapes are skipped eight bytes at a time.
      size_t end = i + 1;
      while (true) {
        end += PlainJsonTextLength(text.substr(end));
        if (end >= n) break;
        if (text[end] == '"') {
          ++end;
          break;
        }
        end += text[end] == '\\' ? 2 : 1;  // an escape (or a control byte)
      }
      end = end < n ? end : n;
      std::memcpy(write, text.data() + i, end - i);
      write += end - i;
      i = end;
      continue;
    }
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      if (c == ':') ++members;
      *write++ = c;
    }
    ++i;
  }
  out.resize(static_cast<size_t>(write - begin));
  if (members != CountMembers(parsed)) return parsed.Dump();
  return out;
}

std::string EncodeSignal(const Value& signal, SignalFormat format) {
  return format == SignalFormat::kCbor ? EncodeCbor(signal) : signal.Dump();
}

Result<Value> DecodeSignal(std::string_view body, SignalFormat format) {
  if (body.size() > kMaxSignalBytes) {
    return Status::OutOfRange("signal: body of " + IntegerText(body.size()) +
                              " bytes exceeds the limit of " +
                              IntegerText(kMaxSignalBytes));
  }
  if (format == SignalFormat::kCbor) {
    CborDecodeOptions options;
    options.max_depth = kMaxSignalDepth;
    options.max_bytes = kMaxSignalBytes;
    options.max_items = kMaxSignalItems;
    return DecodeCbor(body, options);
  }
  JsonParseOptions options;
  options.max_depth = kMaxSignalDepth;
  options.max_bytes = kMaxSignalBytes;
  return ParseJson(body, options);
}

}  // namespace tessera
