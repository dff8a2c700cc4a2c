// Status and Result: how every fallible operation in the core reports failure.
//
// The core never throws (the WebAssembly release build has exceptions off), so
// each entry point that can fail on bad input returns a Status or a Result<T>.
// A Status carries a stable machine-readable code and a human message that says
// what was wrong and where (a JSON path, a byte offset, a field name).
// Values are cheap to copy; there is no shared state, so they are thread-safe.
#ifndef TESSERA_STATUS_H_
#define TESSERA_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace tessera {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the input is malformed or breaks a documented limit
  kNotFound,            // a named thing (slot, partial, key) does not exist
  kFailedPrecondition,  // the operation needs something not granted (consent)
  kOutOfRange,          // a size, depth or count bound was exceeded
  kDataLoss,            // stored bytes are corrupted or truncated
  kUnsupported,         // a version or feature this build does not know
};

// Stable lower-case name for a code, e.g. "invalid_argument".
const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}
  // A fixed message: its string is built out of line, in one place, rather
  // than at each of the many call sites (smaller browser build).
  Status(StatusCode code, const char* message);

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return Status(StatusCode::kInvalidArgument, std::move(m));
  }
  static Status InvalidArgument(const char* m) {
    return Status(StatusCode::kInvalidArgument, m);
  }
  static Status NotFound(std::string m) {
    return Status(StatusCode::kNotFound, std::move(m));
  }
  static Status NotFound(const char* m) {
    return Status(StatusCode::kNotFound, m);
  }
  static Status FailedPrecondition(std::string m) {
    return Status(StatusCode::kFailedPrecondition, std::move(m));
  }
  static Status FailedPrecondition(const char* m) {
    return Status(StatusCode::kFailedPrecondition, m);
  }
  static Status OutOfRange(std::string m) {
    return Status(StatusCode::kOutOfRange, std::move(m));
  }
  static Status OutOfRange(const char* m) {
    return Status(StatusCode::kOutOfRange, m);
  }
  static Status DataLoss(std::string m) {
    return Status(StatusCode::kDataLoss, std::move(m));
  }
  static Status DataLoss(const char* m) {
    return Status(StatusCode::kDataLoss, m);
  }
  static Status Unsupported(std::string m) {
    return Status(StatusCode::kUnsupported, std::move(m));
  }
  static Status Unsupported(const char* m) {
    return Status(StatusCode::kUnsupported, m);
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or the Status explaining why there is none.
namespace internal {
// `status`, or an InvalidArgument error when it is OK: a Result holds a
// value or an error, never neither. Out of line: every Result<T> shares it.
Status NotOk(Status status);
}  // namespace internal

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status)                          // NOLINT
      : status_(internal::NotOk(std::move(status))) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace tessera

#endif  // TESSERA_STATUS_H_
