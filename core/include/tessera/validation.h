// Problems found while validating a document (artifact, signal, artifact part).
//
// Validators collect every problem instead of stopping at the first, so an
// author sees all that is wrong in one pass. Each problem names the JSON path
// of the offending value ("$.slots[2].variants[0].condition.$gt") and says
// what was expected there.
#ifndef TESSERA_VALIDATION_H_
#define TESSERA_VALIDATION_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/json.h"

namespace tessera {

struct Problem {
  std::string path;     // JSONPath-like: "$", "$.a.b", "$.list[3]"
  std::string message;  // what is wrong, in plain words
};
using Problems = std::vector<Problem>;

// "$.a" + "b" -> "$.a.b"; keys that are not identifiers are quoted:
// "$.a" + "x y" -> "$.a[\"x y\"]".
std::string JoinPath(const std::string& parent, std::string_view key);
// "$.a" + 3 -> "$.a[3]".
std::string JoinPath(const std::string& parent, size_t index);
// One line per problem: "<path>: <message>".
std::string FormatProblems(const Problems& problems);

void AddProblem(Problems* problems, std::string path, std::string message);
// The same for a fixed message: the strings are built (and the path copied)
// here, once, rather than at each of the many call sites.
void AddProblem(Problems* problems, std::string&& path, const char* message);
void AddProblem(Problems* problems, const std::string& path,
                const char* message);
void AddProblem(Problems* problems, const char* path, const char* message);

// Documents reject fields they do not define rather than ignore them: a typo
// ("priorty") would otherwise change behaviour silently, and a stray field
// could carry data nobody meant to publish. Adds `message` at each unknown
// member's path; `object` must be an object.
void RejectUnknownFields(const Value& object, const std::string& path,
                         std::initializer_list<std::string_view> known,
                         Problems* problems,
                         std::string_view message = "unknown field");

}  // namespace tessera

#endif  // TESSERA_VALIDATION_H_
