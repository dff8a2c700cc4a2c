// TextBuilder: appends text to a std::string through a raw write pointer.
// Private to core/.
//
// Why: the writers that produce a page view's output (Mustache, the JSON
// handed to JavaScript) append many short pieces. In the wasm build every
// std::string::append/push_back is an out-of-line library call that
// re-reads the string's size and capacity; here an append is a bounds check
// and a copy, and the string is resized only when it runs out of room
// (geometrically) and once more when the builder finishes.
//
// While a builder is alive, its string holds spare bytes past size() and
// must not be used directly; the destructor trims it to exactly the text
// written (after whatever it held before the builder started).
#ifndef TESSERA_SRC_TEXT_BUILDER_H_
#define TESSERA_SRC_TEXT_BUILDER_H_

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace tessera {

class TextBuilder {
 public:
  // `expected`: bytes the caller expects to write, claimed at once (one
  // allocation instead of a reserve() and a resize()).
  explicit TextBuilder(std::string* out, size_t expected = 0)
      : out_(out), size_(out->size()) {
    const size_t wanted = size_ + expected;
    Claim(wanted > out->capacity() ? wanted : out->capacity());
  }
  ~TextBuilder() { out_->resize(size_); }
  TextBuilder(const TextBuilder&) = delete;
  TextBuilder& operator=(const TextBuilder&) = delete;

  // Bytes written so far, including what the string held at the start.
  size_t size() const { return size_; }
  // Those bytes.
  std::string_view written() const { return std::string_view(data_, size_); }

  void Append(const char* data, size_t n) {
    if (n > room_) Grow(n);
    char* at = data_ + size_;
    if (n <= 16) {
      // Most pieces are a few bytes: cheaper than a memcpy call.
      for (size_t i = 0; i < n; ++i) at[i] = data[i];
    } else {
      std::memcpy(at, data, n);
    }
    size_ += n;
    room_ -= n;
  }
  void Append(std::string_view text) { Append(text.data(), text.size()); }
  void Push(char c) {
    if (room_ == 0) Grow(1);
    data_[size_++] = c;
    --room_;
  }

 private:
  // Makes the string's first `bytes` bytes writable storage.
  void Claim(size_t bytes) {
    out_->resize(bytes < size_ ? size_ : bytes);
    data_ = &(*out_)[0];
    room_ = out_->size() - size_;
  }
  void Grow(size_t n) {
    const size_t doubled = 2 * out_->size();
    Claim(doubled > size_ + n + 32 ? doubled : size_ + n + 32);
  }

  std::string* out_;
  char* data_ = nullptr;
  size_t size_;
  size_t room_ = 0;
};

}  // namespace tessera

#endif  // TESSERA_SRC_TEXT_BUILDER_H_
