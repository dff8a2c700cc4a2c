#include "tessera/status.h"

namespace tessera {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kOutOfRange:
      return "out_of_range";
    case StatusCode::kDataLoss:
      return "data_loss";
    case StatusCode::kUnsupported:
      return "unsupported";
  }
  return "unknown";
}

Status::Status(StatusCode code, const char* message)
    : code_(code), message_(message) {}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

namespace internal {

Status NotOk(Status status) {
  if (!status.ok()) return status;
  return Status(StatusCode::kInvalidArgument, "Result built from an OK status");
}

}  // namespace internal

}  // namespace tessera
