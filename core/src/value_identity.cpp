// IdenticalValues: equality strict enough to stand in for "the same input".
#include "value_identity.h"

#include <cstring>

namespace tessera {

bool IdenticalValues(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kNull:
      return true;
    case Value::Type::kBool:
      return a.as_bool() == b.as_bool();
    case Value::Type::kNumber: {
      const double x = a.as_number(), y = b.as_number();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    case Value::Type::kString:
      return a.as_string() == b.as_string();
    case Value::Type::kArray: {
      const Array& x = a.as_array();
      const Array& y = b.as_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!IdenticalValues(x[i], y[i])) return false;
      }
      return true;
    }
    case Value::Type::kObject: {
      const Object& x = a.as_object();
      const Object& y = b.as_object();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (x[i].key != y[i].key || !IdenticalValues(x[i].value, y[i].value)) {
          return false;
        }
      }
      return true;
    }
  }
  return false;
}

}  // namespace tessera
