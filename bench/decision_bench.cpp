// One full decision (50 segments, 20 slots, one profile) and one track():
// the per-page work of the browser SDK, measured natively.
//   make bench   (or build/native/bench/decision_bench)
#include <benchmark/benchmark.h>

#include <string>

#include "tessera/engine.h"
#include "tessera/std_regex_matcher.h"

namespace tessera {
namespace {

constexpr int64_t kNow = 1'764'000'000'000;

// 50 rule segments over a mix of operators and attributes, and 20 slots of
// three variants each (two conditional, one default), rendered with Mustache.
std::string BenchmarkArtifact() {
  static const char* kConditions[] = {
      R"({"event.purchase_complete.days_since_last":{"$lte":%d}})",
      R"({"event.page_view.count_24h":{"$gt":%d}})",
      R"({"event.add_to_cart.count_7d":{"$gte":%d},"context.device":"mobile"})",
      R"({"$or":[{"event.purchase_complete.sum_value_90d":{"$gt":%d}},{"traits.plan":{"$in":["gold","platinum"]}}]})",
      R"({"affinities":{"$elemMatch":{"$eq":"shoes"}},"visitor.sessions":{"$gt":%d}})",
  };
  std::string segments;
  for (int i = 0; i < 50; ++i) {
    char condition[256];
    std::snprintf(condition, sizeof condition, kConditions[i % 5], i % 9 + 1);
    if (i) segments += ",";
    segments += "{\"id\":\"seg" + std::to_string(i) + "\",\"priority\":" +
                std::to_string(i) + ",\"condition\":" + condition + "}";
  }
  std::string slots;
  for (int i = 0; i < 20; ++i) {
    if (i) slots += ",";
    std::string id = "slot" + std::to_string(i);
    slots += "{\"id\":\"" + id + "\",\"default\":\"std\",\"variants\":["
             "{\"id\":\"a\",\"condition\":{\"segments\":{\"$in\":[\"seg" + std::to_string(i * 2) +
             "\"]}},\"template\":\"<h2>Offer for {{traits.name}}</h2><p>{{event.page_view.count_24h}} views</p>\"},"
             "{\"id\":\"b\",\"condition\":{\"segments\":{\"$all\":[\"seg1\",\"seg" + std::to_string(i + 3) +
             "\"]}},\"template\":\"<h2>Welcome back</h2>{{#affinities}}<li>{{.}}</li>{{/affinities}}\"},"
             "{\"id\":\"std\",\"template\":\"<h2>Standard promotion</h2>\"}]}";
  }
  return "{\"schema_version\":1,\"version\":\"bench\",\"site\":\"demo\",\"segments\":[" +
         segments + "],\"slots\":[" + slots + "]}";
}

class Fixture {
 public:
  Fixture() : engine_(Options(), kNow, &regex_) {
    Status loaded = engine_.LoadArtifact(BenchmarkArtifact(), kNow);
    if (!loaded.ok()) std::fprintf(stderr, "%s\n", loaded.ToString().c_str());
    engine_.SetConsent(ConsentUpdate{ConsentSource::kApi, true, true, true}, kNow);
    Context context;
    context.device = "mobile";
    engine_.SetContext(context);
    Value cart = Value::MakeObject();
    cart.set("category", "Shoes");
    cart.set("value", 80);
    Value purchase = Value::MakeObject();
    purchase.set("value", 120);
    purchase.set("currency", "EUR");
    for (int i = 0; i < 40; ++i) {
      int64_t t = kNow - int64_t{i} * 3 * 3600 * 1000;
      engine_.Track("page_view", Value(), Value(static_cast<double>(t)), kNow);
      if (i % 4 == 0) engine_.Track("add_to_cart", cart, Value(static_cast<double>(t)), kNow);
      if (i % 10 == 0) engine_.Track("purchase_complete", purchase, Value(static_cast<double>(t)), kNow);
    }
    Value traits = Value::MakeObject();
    traits.set("name", "Ada");
    traits.set("plan", "gold");
    engine_.Identify("user-1", traits, kNow);
  }

  static EngineOptions Options() {
    EngineOptions options;
    options.site = "demo";
    options.visitor_id = "visitor_0123456789abcdef";
    return options;
  }

  Engine& engine() { return engine_; }

 private:
  StdRegexMatcher regex_;
  Engine engine_;
};

// A full decision: the engine's memo of earlier decisions is dropped, so the
// attributes are derived afresh, all 50 segments evaluated, all 20 slots
// chosen and rendered (what every decision cost before the memo).
void BM_FullDecision(benchmark::State& state) {
  Fixture fixture;
  int64_t now = kNow;
  size_t rendered = 0;
  for (auto _ : state) {
    fixture.engine().ForgetDecisionMemo();
    std::vector<Decision> decisions = fixture.engine().DecideAll(++now);
    rendered += decisions.size();
    benchmark::DoNotOptimize(decisions);
  }
  state.counters["slots"] = benchmark::Counter(
      static_cast<double>(rendered) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_FullDecision);

// The properties of the page view the benchmarks track.
Value PageViewProperties() {
  Value properties = Value::MakeObject();
  properties.set("path", "/products/42");
  properties.set("category", "Shoes");
  return properties;
}

// A page view as the SDK sees it: the clock moves 20 s, a page_view is
// tracked, and every slot is decided incrementally (only the segments and
// slots whose inputs changed are recomputed; DecideAllChanges, the call the
// wrapper makes). The page view's Track() is inside the timing.
void BM_PageViewIncremental(benchmark::State& state) {
  Fixture fixture;
  const Value properties = PageViewProperties();
  int64_t now = kNow;
  for (auto _ : state) {
    now += 20000;
    Result<Event> event =
        fixture.engine().Track("page_view", properties, Value(), now);
    std::vector<const Decision*> changes =
        fixture.engine().DecideAllChanges(now);
    benchmark::DoNotOptimize(event);
    benchmark::DoNotOptimize(changes);
  }
}
BENCHMARK(BM_PageViewIncremental);

void BM_Track(benchmark::State& state) {
  Fixture fixture;
  const Value properties = PageViewProperties();
  int64_t now = kNow;
  for (auto _ : state) {
    Result<Event> event = fixture.engine().Track("page_view", properties, Value(), ++now);
    benchmark::DoNotOptimize(event);
  }
}
BENCHMARK(BM_Track);

}  // namespace
}  // namespace tessera

BENCHMARK_MAIN();
