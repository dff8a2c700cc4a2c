// Replays the SDK decision benchmark's decisions natively: the state written
// by bench/js/dump-decision-state.mjs (artifact, profile, consent, clock),
// then N page views each followed by DecideAllChanges (mode "page", as
// decision.bench.mjs's page-view case) or N clock moves of 1 ms each
// followed by DecideAllChanges (mode "tick"). For counting instructions per
// decision with callgrind (docs/BENCHMARKS.md); it prints what it decided so
// the work cannot be optimized away.
//
//   decision_replay DIR page|tick [N]
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "tessera/engine.h"
#include "tessera/json.h"
#include "tessera/std_regex_matcher.h"

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  std::ostringstream text;
  text << file.rdbuf();
  *out = text.str();
  return true;
}

int Fail(const std::string& message) {
  std::cerr << "decision_replay: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Fail("usage: decision_replay DIR page|tick [N]");
  const std::string dir = argv[1];
  const std::string mode = argv[2];
  if (mode != "page" && mode != "tick") return Fail("mode must be page or tick");
  const long count = argc > 3 ? std::strtol(argv[3], nullptr, 10) : 2000;
  if (count <= 0) return Fail("N must be a positive number");

  std::string artifact, profile, consent, now_text;
  if (!ReadFile(dir + "/artifact.json", &artifact) ||
      !ReadFile(dir + "/profile.bin", &profile) ||
      !ReadFile(dir + "/consent.json", &consent) ||
      !ReadFile(dir + "/now.txt", &now_text)) {
    return Fail("cannot read the state in " + dir +
                " (write it with bench/js/dump-decision-state.mjs)");
  }
  int64_t now = std::strtoll(now_text.c_str(), nullptr, 10);

  tessera::StdRegexMatcher regex;
  tessera::EngineOptions options;
  options.site = "bench";
  tessera::Engine engine(options, now, &regex);
  if (tessera::Status s = engine.LoadArtifact(artifact, now); !s.ok()) {
    return Fail("artifact: " + s.message());
  }
  if (tessera::Status s = engine.RestoreConsent(consent, now); !s.ok()) {
    return Fail("consent: " + s.message());
  }
  if (tessera::Status s = engine.RestoreProfile(profile); !s.ok()) {
    return Fail("profile: " + s.message());
  }
  const tessera::Value page_props =
      *tessera::ParseJson(R"({"path":"/products/sku-1003","category":"shoes"})");
  engine.DecideAllChanges(now);

  long changed = 0;
  for (long i = 0; i < count; ++i) {
    if (mode == "page") {
      now += 20'000;
      if (!engine.Track("page_view", page_props, tessera::Value(), now).ok()) {
        return Fail("track failed");
      }
    } else {
      now += 1;
    }
    for (const tessera::Decision* d : engine.DecideAllChanges(now)) {
      changed += d != nullptr;
    }
  }
  std::cout << mode << ": " << count << " decisions, "
            << static_cast<double>(changed) / count
            << " changed slots per decision\n";
  return 0;
}
