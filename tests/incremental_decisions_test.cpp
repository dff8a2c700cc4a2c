// The engine decides incrementally (core/src/decision_memo.h): after each
// step it recomputes only the segments and slots whose inputs changed. This
// differential test plays random sequences of events, clock moves (small,
// large, and onto the windows' bucket edges), consent changes, identify,
// context changes, artifact swaps, profile restores and forget() into two
// engines, and after every step compares the incremental engine's
// attributes, segments and decisions with those of a twin that recomputes
// everything from scratch (ForgetDecisionMemo before each decision).
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "tessera/artifact.h"
#include "tessera/content.h"
#include "tessera/engine.h"
#include "tessera/engine_json.h"
#include "tessera/std_regex_matcher.h"

namespace tessera {
namespace {

constexpr int64_t kStart = 1'764'000'000'000;  // 2025-11-24
constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

// Segments over every kind of attribute: windowed counts and sums at each
// window, recency, visitor and session fields, affinities, traits, context,
// memberships (rules on rules and on the cluster), an exclusive group, a
// saved group reference, and paths missing from the attributes.
const char* kArtifactA = R"({
  "schema_version": 1, "version": "a", "site": "demo",
  "savedGroups": {"vips": ["u-1", "u-3"]},
  "segments": [
    {"id": "s01", "priority": 99, "condition": {"event.page_view.count_1h": {"$gte": 2}}},
    {"id": "s02", "priority": 98, "condition": {"event.page_view.count_24h": {"$gt": 3}}},
    {"id": "s03", "priority": 97, "condition": {"event.add_to_cart.count_7d": {"$gte": 1}}},
    {"id": "s04", "priority": 96, "condition": {"event.purchase_complete.sum_value_30d": {"$gt": 50}}},
    {"id": "s05", "priority": 95, "condition": {"event.purchase_complete.count_90d": {"$gte": 1}}},
    {"id": "s06", "priority": 94, "condition": {"event.page_view.hours_since_last": {"$lt": 1}}},
    {"id": "s07", "priority": 93, "condition": {"event.add_to_cart.days_since_first": {"$exists": true, "$gt": 2}}},
    {"id": "s08", "priority": 92, "condition": {"visitor.sessions_24h": {"$gte": 2}}},
    {"id": "s09", "priority": 91, "condition": {"visitor.pages_this_session": {"$gte": 3}}},
    {"id": "s10", "priority": 90, "condition": {"visitor.days_since_last_seen": {"$lt": 0.5}}},
    {"id": "s11", "priority": 89, "condition": {"affinity.shoes": {"$gt": 0.4}}},
    {"id": "s12", "priority": 88, "condition": {"affinities": {"$size": {"$gte": 2}}}},
    {"id": "s13", "priority": 87, "condition": {"traits.plan": "gold"}},
    {"id": "s14", "priority": 86, "condition": {"context.path": {"$regex": "^/products/"}}},
    {"id": "s15", "priority": 85, "condition": {"context.hour": {"$gte": 12}}},
    {"id": "s16", "priority": 84, "condition": {"segments": {"$all": ["s01", "s02"]}}},
    {"id": "s17", "priority": 83, "condition": {"$or": [{"segments": {"$in": ["s13"]}}, {"cluster": "big"}]}},
    {"id": "s18", "priority": 82, "group": "life", "condition": {"event.purchase_complete.count_all": {"$gte": 2}}},
    {"id": "s19", "priority": 81, "group": "life", "condition": {"event.add_to_cart.count_24h": {"$gte": 1}}},
    {"id": "s20", "priority": 80, "group": "life", "condition": {"visitor.sessions": {"$gte": 1}}},
    {"id": "s21", "priority": 79, "condition": {"$savedGroup": {"id": "vips", "attributeKey": "userId"}}},
    {"id": "s22", "priority": 78, "condition": {"userId": {"$inGroup": "vips"}}},
    {"id": "s23", "priority": 77, "condition": {"nothing.here": {"$exists": false}, "event.video.count_all": {"$gt": 0}}},
    {"id": "s24", "priority": 76, "condition": {"segments": {"$size": {"$gte": 6}}}},
    {"id": "s25", "priority": 75, "condition": {"event.page_view.count_30d": {"$gte": 5}, "context.device": "mobile"}},
    {"id": "s26", "priority": 74, "condition": {"visitor.days_since_first_seen": {"$gt": 3}}},
    {"id": "s27", "priority": 73, "condition": {"event.add_to_cart.sum_value_1h": {"$gt": 20}}},
    {"id": "s28", "priority": 72, "condition": {"traits.tags": {"$elemMatch": {"$eq": "vip"}}}}
  ],
  "clusters": [
    {"id": "m", "features": ["event.page_view.count_24h", "event.add_to_cart.count_7d"],
     "centroids": [{"id": "small", "vector": [0, 0]}, {"id": "big", "segment": "heavy", "vector": [6, 3]}]}
  ],
  "slots": [
    {"id": "hero", "default": "standard", "variants": [
      {"id": "vip", "condition": {"segments": {"$in": ["s13", "s22"]}},
       "template": "<b>Hello {{traits.name}}</b>"},
      {"id": "busy", "condition": {"event.page_view.count_24h": {"$gte": 4}},
       "template": "{{event.page_view.count_24h}} views today, {{visitor.pages_this_session}} this visit"},
      {"id": "standard", "template": "Standard {{context.path}}"}]},
    {"id": "cart", "default": "maybe", "variants": [
      {"id": "waiting", "condition": {"event.add_to_cart.count_24h": {"$gt": 0}},
       "template": "{{#affinities}}[{{.}}]{{/affinities}} cart {{event.add_to_cart.sum_value_24h}}"},
      {"id": "maybe", "condition": {"event.page_view.count_all": {"$gte": 1}},
       "template": "{{#traits}}{{plan}}{{/traits}} {{event.page_view.days_since_last}}"}]},
    {"id": "empty", "variants": [
      {"id": "only", "condition": {"segments": {"$in": ["heavy"]}}, "template": "heavy {{cluster}}"}]},
    {"id": "recency", "default": "old", "variants": [
      {"id": "fresh", "condition": {"event.purchase_complete.hours_since_last": {"$lt": 2}},
       "template": "Thanks! {{event.purchase_complete.hours_since_last}}"},
      {"id": "old", "template": "{{missing.thing}}{{^segments}}none{{/segments}}{{#segments}}{{.}},{{/segments}}"}]},
    {"id": "banner", "default": "a", "experiment": "banner-test", "variants": [
      {"id": "a", "template": "A {{traits.plan}}"}, {"id": "b", "template": "B"}]}
  ],
  "experiments": [
    {"key": "banner-test", "variations": ["a", "b"], "weights": [0.5, 0.5]}
  ]
})";

// A second artifact (the swap target): other rules, other slots.
const char* kArtifactB = R"({
  "schema_version": 1, "version": "b", "site": "demo",
  "segments": [
    {"id": "t1", "condition": {"event.page_view.count_7d": {"$gte": 2}}},
    {"id": "t2", "condition": {"segments": {"$in": ["t1"]}, "context.device": {"$ne": "desktop"}}}
  ],
  "slots": [
    {"id": "hero", "default": "plain", "variants": [
      {"id": "two", "condition": {"segments": {"$in": ["t2"]}}, "template": "two {{event.page_view.count_7d}}"},
      {"id": "plain", "condition": {"traits.plan": {"$exists": true}}, "template": "plain {{traits.plan}}"}]}
  ],
  "experiments": []
})";

// A third artifact whose every reader names its inputs (no experiment, no
// saved group, no "{{.}}"): between two decisions the engine then updates
// only the attributes these read, from the profile (DecisionMemo::
// RefreshFromProfile), instead of deriving them all. Paths of every source:
// window stats of standard, custom and never-seen types, a member no type
// has, recency, visitor fields, affinities (shares, the list, past the end
// of a path), the local clock, traits, context, identity and cluster
// features.
const char* kArtifactC = R"({
  "schema_version": 1, "version": "c", "site": "demo",
  "segments": [
    {"id": "c01", "condition": {"event.page_view.count_1h": {"$gte": 2}}},
    {"id": "c02", "condition": {"event.video.count_7d": {"$gte": 1}}},
    {"id": "c03", "condition": {"event.add_to_cart.hours_since_last": {"$exists": true, "$lt": 3}}},
    {"id": "c04", "condition": {"event.purchase_complete.sum_value_24h": {"$gt": 20}}},
    {"id": "c05", "condition": {"event.newsletter.count_all": {"$exists": false}}},
    {"id": "c06", "condition": {"event.page_view.bogus": {"$exists": false}}},
    {"id": "c07", "condition": {"visitor.sessions_7d": {"$gte": 2}, "visitor.identified": false}},
    {"id": "c08", "condition": {"visitor.days_since_first_seen": {"$gt": 1.5}}},
    {"id": "c09", "condition": {"affinity.bags": {"$gt": 0.3}}},
    {"id": "c10", "condition": {"affinity.shoes.deeper": {"$exists": true}}},
    {"id": "c11", "condition": {"affinities.length": {"$gte": 2}}},
    {"id": "c12", "condition": {"affinities": {"$elemMatch": {"$eq": "jackets"}}}},
    {"id": "c13", "condition": {"context.hour": {"$lt": 12}, "context.weekday": {"$in": [1, 2, 3]}}},
    {"id": "c14", "condition": {"context.path": {"$regex": "^/products/"}, "traits.plan": {"$ne": "gold"}}},
    {"id": "c19", "condition": {"context.utm.source": "mail"}},
    {"id": "c15", "condition": {"id": {"$exists": true}, "userId": {"$exists": true}}},
    {"id": "c16", "condition": {"segments": {"$in": ["c01", "c09"]}, "nothing.here": {"$exists": false}}},
    {"id": "c17", "condition": {"event.video.days_since_first": {"$lt": 2}}},
    {"id": "c18", "condition": {"visitor.pages_this_session": {"$gte": 3}}}
  ],
  "clusters": [
    {"id": "m", "features": ["event.page_view.count_24h", "visitor.sessions_30d"],
     "centroids": [{"id": "light", "vector": [0, 0]}, {"id": "heavy", "segment": "c-heavy", "vector": [8, 3]}]}
  ],
  "slots": [
    {"id": "hero", "default": "plain", "variants": [
      {"id": "busy", "condition": {"segments": {"$in": ["c01", "c-heavy"]}},
       "template": "{{event.page_view.count_24h}} views, {{visitor.pages_this_session}} now, {{affinity.bags}}"},
      {"id": "plain", "template": "Hi {{traits.plan}} at {{context.hour}}"}]},
    {"id": "cart", "default": "none", "variants": [
      {"id": "recent", "condition": {"event.add_to_cart.count_24h": {"$gt": 0}},
       "template": "{{#affinities}}[{{length}}]{{/affinities}} {{event.add_to_cart.sum_value_24h}}"},
      {"id": "none", "template": "{{cluster}} {{event.video.hours_since_last}}"}]}
  ],
  "experiments": []
})";

std::string Describe(const Decision& d) {
  std::string out = d.slot_id + "|" + d.variant_id + "|" + d.source + "|" +
                    d.html + "|" + d.render_status.message();
  if (d.exposure) {
    out += "|" + d.exposure->experiment_key + ":" +
           std::to_string(d.exposure->variation_index) + ":" +
           d.exposure->variant_id;
  }
  return out;
}

class Twins {
 public:
  Twins()
      : incremental_(Options(), kStart, &regex_),
        fresh_(Options(), kStart, &regex_) {}

  static EngineOptions Options() {
    EngineOptions options;
    options.site = "demo";
    options.visitor_id = "visitor_0123456789abcdef";
    return options;
  }

  // Applies `step` to both engines.
  template <typename Step>
  void Both(Step step) {
    step(incremental_);
    step(fresh_);
  }

  // The artifact both engines hold (for the reference decisions).
  void Loaded(const char* artifact_text) {
    Result<Artifact> parsed = ParseArtifact(artifact_text, &regex_);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    artifact_ = std::move(parsed).value();
  }

  // Compares, the way `how` picks, what the incremental engine answers at
  // `now` with what its twin computes from scratch, and that with what
  // ContentSelector (no memo at all) decides from the twin's attributes.
  void Check(int64_t now, int how, const std::string& where) {
    SCOPED_TRACE(where);
    fresh_.ForgetDecisionMemo();
    const std::vector<Decision> expected = fresh_.DecideAll(now);
    if (fresh_.consent().Check(Operation::kRenderPersonalized).ok()) {
      ASSERT_EQ(expected.size(), artifact_.slots.size());
      const Value attributes = fresh_.Attributes(now);
      for (size_t i = 0; i < expected.size(); ++i) {
        const Slot& slot = artifact_.slots[i];
        const Decision reference = ContentSelector::Decide(
            slot,
            slot.experiment_key.empty()
                ? nullptr
                : artifact_.FindExperiment(slot.experiment_key),
            attributes, artifact_.saved_groups, &regex_);
        EXPECT_EQ(Describe(expected[i]), Describe(reference)) << "slot " << i;
      }
    }
    switch (how) {
      case 0: {  // the wrapper's call: only what changed comes back
        std::vector<const Decision*> changes =
            incremental_.DecideAllChanges(now);
        ASSERT_EQ(changes.size(), expected.size());
        if (client_.size() != changes.size())
          client_.assign(changes.size(), "");
        for (size_t i = 0; i < changes.size(); ++i) {
          if (changes[i] != nullptr) client_[i] = Describe(*changes[i]);
          EXPECT_EQ(client_[i], Describe(expected[i])) << "slot " << i;
        }
        break;
      }
      case 1: {  // one slot at a time
        for (const Decision& want : expected) {
          Result<Decision> got = incremental_.Decide(want.slot_id, now);
          ASSERT_TRUE(got.ok());
          EXPECT_EQ(Describe(*got), Describe(want));
        }
        break;
      }
      case 2: {  // segments only: slots fall behind and catch up later
        break;
      }
      default: {
        std::vector<Decision> got = incremental_.DecideAll(now);
        ASSERT_EQ(got.size(), expected.size());
        for (size_t i = 0; i < got.size(); ++i) {
          EXPECT_EQ(Describe(got[i]), Describe(expected[i]));
        }
      }
    }
    EXPECT_EQ(incremental_.Segments(now), fresh_.Segments(now));
    EXPECT_EQ(incremental_.Attributes(now).Dump(),
              fresh_.Attributes(now).Dump());
  }

  Engine& incremental() { return incremental_; }
  void ClientLost() { client_.clear(); }

 private:
  StdRegexMatcher regex_;
  Engine incremental_;
  Engine fresh_;
  std::vector<std::string> client_;  // what the wrapper would hold
  Artifact artifact_;
};

// The next instant on a multiple of `width` after `now`, plus `offset`.
int64_t NextEdge(int64_t now, int64_t width, int64_t offset) {
  return (now / width + 1) * width + offset;
}

// Both engines on `artifact` with every purpose granted: where each session
// starts.
void StartWith(Twins& twins, const char* artifact, int64_t now) {
  twins.Both(
      [&](Engine& e) { ASSERT_TRUE(e.LoadArtifact(artifact, now).ok()); });
  twins.Loaded(artifact);
  ConsentUpdate all;
  all.analytics = true;
  all.personalization = true;
  twins.Both([&](Engine& e) { e.SetConsent(all, now); });
}

// Like C, but its context paths are all ones a new context updates in
// place (built-in members, an extra member read whole): a single-page app's
// next page keeps the update from the profile, with the hour and weekday
// recomputed for the new offset, and an extra member coming or going falls
// back to a full derivation.
const char* kArtifactD = R"({
  "schema_version": 1, "version": "d", "site": "demo",
  "segments": [
    {"id": "d01", "condition": {"event.page_view.count_1h": {"$gte": 2}}},
    {"id": "d02", "condition": {"context.hour": {"$lt": 12}, "context.weekday": {"$in": [1, 2, 3]}}},
    {"id": "d03", "condition": {"visitor.pages_this_session": {"$gte": 3}}},
    {"id": "d04", "condition": {"affinity.shoes": {"$gt": 0.3}, "segments": {"$in": ["d01"]}}},
    {"id": "d05", "condition": {"context.campaign": "spring", "context.device": "desktop"}},
    {"id": "d07", "condition": {"context.device.length": {"$gt": 6}}},
    {"id": "d06", "condition": {"context.path": {"$regex": "^/products/"}, "context.utc_offset_minutes": {"$gt": 0}}}
  ],
  "slots": [
    {"id": "hero", "default": "plain", "variants": [
      {"id": "busy", "condition": {"segments": {"$in": ["d01", "d03"]}},
       "template": "{{event.page_view.count_24h}} views at {{context.hour}}"},
      {"id": "plain", "template": "Hi {{traits.plan}} on day {{context.weekday}} from {{context.url}}"}]}
  ],
  "experiments": []
})";

const char* const kArtifacts[] = {kArtifactA, kArtifactB, kArtifactC,
                                  kArtifactD};

// `steps` random steps, starting on kArtifacts[artifact].
void PlayRandomSession(uint32_t seed, int steps, size_t artifact) {
  std::mt19937 rng(seed);
  auto pick = [&rng](int n) {
    return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng));
  };
  Twins twins;
  int64_t now = kStart;
  StartWith(twins, kArtifacts[artifact], now);
  const char* kTypes[] = {"page_view",   "page_view",         "page_view",
                          "add_to_cart", "purchase_complete", "video"};
  const char* kCategories[] = {"shoes", "bags", "jackets"};
  const char* kPaths[] = {"/", "/products/1", "/products/2", "/cart"};

  for (int step = 0; step < steps; ++step) {
    std::string what;
    const int kind = pick(100);
    if (kind < 40) {
      const char* type = kTypes[pick(6)];
      Value props = Value::MakeObject();
      if (pick(2)) props.set("category", kCategories[pick(3)]);
      if (pick(2))
        props.set("value", Value(static_cast<double>(pick(4000)) / 100));
      Value timestamp;
      if (pick(10) == 0)
        timestamp = Value(static_cast<double>(now - pick(3) * kHour));
      what = std::string("track ") + type;
      twins.Both(
          [&](Engine& e) { (void)e.Track(type, props, timestamp, now); });
    } else if (kind < 70) {
      switch (pick(6)) {
        case 0:
          now += 1 + pick(1000);
          break;
        case 1:
          now += pick(20) * kMinute + pick(60000);
          break;
        case 2:
          now += pick(30) * kHour;
          break;
        case 3:
          now += pick(40) * kDay + pick(100000);
          break;
        case 4:
          now = NextEdge(now, kMinute, pick(3) - 1);
          break;
        default:
          now = NextEdge(now, pick(2) ? kHour : 6 * kHour, pick(3) - 1);
      }
      what = "clock " + std::to_string(now);
    } else if (kind < 76) {
      ConsentUpdate update;
      if (pick(2)) update.analytics = pick(3) != 0;
      if (pick(2)) update.personalization = pick(3) != 0;
      what = "consent";
      twins.Both([&](Engine& e) { e.SetConsent(update, now); });
    } else if (kind < 81) {
      Value traits = Value::MakeObject();
      traits.set("plan", pick(2) ? "gold" : "silver");
      traits.set("name", pick(2) ? "Ana" : "Bo");
      if (pick(2)) {
        Value tags = Value::MakeArray();
        tags.push_back(pick(2) ? "vip" : "new");
        traits.set("tags", std::move(tags));
      }
      const std::string user = "u-" + std::to_string(pick(4));
      what = "identify " + user;
      twins.Both([&](Engine& e) { (void)e.Identify(user, traits, now); });
    } else if (kind < 88) {
      Context context;
      context.path = kPaths[pick(4)];
      context.device = pick(2) ? "mobile" : "desktop";
      context.utc_offset_minutes = pick(3) * 60;
      context.url = "https://shop.example" + context.path;
      switch (pick(4)) {  // members of the site's own
        case 0:
          break;
        case 1:
          context.extra = Value::MakeObject();
          context.extra.set("campaign", pick(2) ? "spring" : "fall");
          break;
        default: {
          Value utm = Value::MakeObject();
          utm.set("source", pick(2) ? "mail" : "ads");
          context.extra = Value::MakeObject();
          context.extra.set(pick(2) ? "utm" : "campaign", std::move(utm));
        }
      }
      what = "context " + context.path;
      twins.Both([&](Engine& e) { e.SetContext(context); });
    } else if (kind < 92) {
      artifact =
          (artifact + 1 + static_cast<size_t>(pick(2))) % std::size(kArtifacts);
      what = std::string("artifact ") + static_cast<char>('a' + artifact);
      twins.Both([&](Engine& e) {
        ASSERT_TRUE(e.LoadArtifact(kArtifacts[artifact], now).ok());
      });
      twins.Loaded(kArtifacts[artifact]);
    } else if (kind < 95) {
      const std::string saved = twins.incremental().SaveProfile();
      what = "restore profile";
      if (!saved.empty()) {
        twins.Both(
            [&](Engine& e) { ASSERT_TRUE(e.RestoreProfile(saved).ok()); });
      }
    } else if (kind < 97) {
      what = "forget";
      twins.Both([&](Engine& e) { e.Forget("visitor_fedcba9876543210"); });
    } else {
      what = "nothing";  // decide again at the same instant
    }
    twins.Check(now, pick(4),
                "seed " + std::to_string(seed) + " step " +
                    std::to_string(step) + ": " + what);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(IncrementalDecisionsTest, MatchFullRecomputationOverRandomSessions) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    PlayRandomSession(seed, 250, 0);
    if (::testing::Test::HasFailure()) return;
  }
}

// Artifact C's readers all name their inputs, so most of its decisions
// update only those inputs from the profile instead of deriving everything.
TEST(IncrementalDecisionsTest,
     MatchFullRecomputationWhenOnlyReadInputsAreUpdated) {
  for (uint32_t seed = 101; seed <= 140; ++seed) {
    PlayRandomSession(seed, 250, 2);
    if (::testing::Test::HasFailure()) return;
  }
}

// Artifact D's context paths follow a new context in place: context changes
// (paths, devices, offsets, the site's own members) leave its decisions
// incremental, and still right.
TEST(IncrementalDecisionsTest,
     MatchFullRecomputationWhenContextPathsUpdateInPlace) {
  for (uint32_t seed = 201; seed <= 240; ++seed) {
    PlayRandomSession(seed, 250, 3);
    if (::testing::Test::HasFailure()) return;
  }
}

// The case the memo exists for: a page view changes only some inputs, and
// everything else is reused; still the answers are the full ones.
TEST(IncrementalDecisionsTest, PageViewsRecomputeOnlyWhatChanged) {
  Twins twins;
  int64_t now = kStart;
  StartWith(twins, kArtifactA, now);
  Value traits = Value::MakeObject();
  traits.set("plan", "gold");
  twins.Both(
      [&](Engine& e) { ASSERT_TRUE(e.Identify("u-1", traits, now).ok()); });
  twins.Check(now, 0, "first decision");
  for (int i = 0; i < 30; ++i) {
    now += 7 * kMinute + 13;
    twins.Both([&](Engine& e) {
      ASSERT_TRUE(e.Track("page_view", Value(), Value(), now).ok());
    });
    twins.Check(now, 0, "page view " + std::to_string(i));
  }
  // The hero slot shows "vip" (traits.plan is gold) whatever the page views
  // do, so after the first decision it is never sent again.
  std::vector<const Decision*> again =
      twins.incremental().DecideAllChanges(now + 1);
  ASSERT_EQ(again.size(), 5u);
  EXPECT_EQ(again[0], nullptr);
  EXPECT_NE(again[4], nullptr);  // experiments are always recomputed
}

}  // namespace
}  // namespace tessera
