// Quoting of user-supplied text inside event error messages.
//
// Messages echo what was wrong ("got \"dollars\""), but the offending text may
// be huge, contain control characters or be invalid UTF-8; the quote keeps
// the message short, printable and itself valid UTF-8.
#ifndef TESSERA_SRC_EVENT_QUOTE_H_
#define TESSERA_SRC_EVENT_QUOTE_H_

#include <string>
#include <string_view>

namespace tessera {

// `text` in double quotes with '"', '\\' and control characters escaped,
// bytes of invalid UTF-8 as \xNN, and text past 64 bytes cut off and marked
// with "..." after the closing quote.
std::string QuoteForMessage(std::string_view text);

}  // namespace tessera

#endif  // TESSERA_SRC_EVENT_QUOTE_H_
