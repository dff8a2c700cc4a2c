#include "test_support.h"
#include "tessera/attributes.h"

#include <gtest/gtest.h>

#include <cmath>

#include <cstdint>
#include <string>

namespace tessera {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kMonday = 1704067200000;  // 2024-01-01T00:00:00Z
// Thursday 2024-01-11 14:00 UTC.
constexpr int64_t kNow = kMonday + 10 * kDay + 14 * kHour;


void Record(Profile* p, const char* name, int64_t ts,
            const char* props = "{}") {
  Event e;
  e.name = name;
  e.timestamp_ms = ts;
  e.properties = Json(props);
  Status s = p->Record(e, -300);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

double Number(const Value& attrs, const char* path) {
  const Value* v = attrs.find_path(path);
  EXPECT_NE(v, nullptr) << path;
  if (v == nullptr) return -1;
  EXPECT_TRUE(v->is_number()) << path;
  return v->number_or(-1);
}

Profile ScriptedHistory() {
  Profile p;
  EXPECT_TRUE(p.SetAnonymousId("anon-1").ok());
  EXPECT_TRUE(p.Identify("user-7", Json(R"({"plan": "pro"})")).ok());
  Record(&p, "page_view", kNow - 40 * kDay, R"({"category": "tents"})");
  Record(&p, "page_view", kNow - 3 * kDay);
  Record(&p, "purchase_complete", kNow - 3 * kDay + 10 * kMinute,
         R"({"value": 120, "items": [{"category": "shoes"}]})");
  Record(&p, "newsletter_signup", kNow - 2 * kHour);
  Record(&p, "page_view", kNow - 20 * kMinute, R"({"category": "shoes"})");
  Record(&p, "page_view", kNow - 10 * kMinute, R"({"category": "shoes"})");
  Record(&p, "page_view", kNow - 5 * kMinute, R"({"category": "shoes"})");
  Record(&p, "add_to_cart", kNow - 4 * kMinute,
         R"({"value": 59.5, "category": "bags"})");
  return p;
}

Context MobileContext() {
  Context c;
  c.device = "mobile";
  c.utc_offset_minutes = -300;
  c.url = "https://shop.example/shoes?x=1";
  c.path = "/shoes";
  c.referrer = "https://search.example/";
  c.language = "en-US";
  c.extra = Json(R"({"campaign": "spring", "hour": 99})");
  return c;
}

TEST(Attributes, EventCountsSumsAndRecencyFollowTheHistory) {
  const Value a = DeriveAttributes(ScriptedHistory(), MobileContext(), kNow);
  EXPECT_EQ(Number(a, "event.page_view.count_1h"), 3);
  EXPECT_EQ(Number(a, "event.page_view.count_24h"), 3);
  EXPECT_EQ(Number(a, "event.page_view.count_7d"), 4);
  EXPECT_EQ(Number(a, "event.page_view.count_30d"), 4);
  EXPECT_EQ(Number(a, "event.page_view.count_90d"), 5);
  EXPECT_EQ(Number(a, "event.page_view.count_all"), 5);
  EXPECT_DOUBLE_EQ(Number(a, "event.page_view.days_since_last"), 5.0 / 1440);
  EXPECT_DOUBLE_EQ(Number(a, "event.page_view.days_since_first"), 40);
  EXPECT_DOUBLE_EQ(Number(a, "event.page_view.hours_since_last"), 5.0 / 60);

  EXPECT_EQ(Number(a, "event.purchase_complete.count_24h"), 0);
  EXPECT_EQ(Number(a, "event.purchase_complete.count_7d"), 1);
  EXPECT_EQ(Number(a, "event.purchase_complete.sum_value_24h"), 0);
  EXPECT_EQ(Number(a, "event.purchase_complete.sum_value_7d"), 120);
  EXPECT_EQ(Number(a, "event.purchase_complete.sum_value_30d"), 120);
  EXPECT_EQ(Number(a, "event.purchase_complete.sum_value_90d"), 120);
  EXPECT_EQ(Number(a, "event.purchase_complete.sum_value_all"), 120);
  EXPECT_DOUBLE_EQ(Number(a, "event.purchase_complete.days_since_last"),
                   (3 * 1440 - 10) / 1440.0);

  EXPECT_EQ(Number(a, "event.add_to_cart.count_1h"), 1);
  EXPECT_EQ(Number(a, "event.add_to_cart.sum_value_1h"), 59.5);
  EXPECT_EQ(Number(a, "event.newsletter_signup.count_24h"), 1);
  EXPECT_DOUBLE_EQ(Number(a, "event.newsletter_signup.hours_since_last"), 2);
}

TEST(Attributes, StandardTypesAreAlwaysPresentButUnseenOnesHaveNoRecency) {
  const Value a = DeriveAttributes(ScriptedHistory(), MobileContext(), kNow);
  for (const char* name : {"remove_from_cart", "form_submit", "video_played"}) {
    const Value* e = a.find("event")->find(name);
    ASSERT_NE(e, nullptr) << name;
    EXPECT_EQ(e->find("count_30d")->number_or(-1), 0) << name;
    EXPECT_EQ(e->find("sum_value_all")->number_or(-1), 0) << name;
    EXPECT_EQ(e->find("days_since_last"), nullptr) << name;
    EXPECT_EQ(e->find("hours_since_last"), nullptr) << name;
  }
  EXPECT_EQ(a.find("event")->find("never_tracked"), nullptr);
  EXPECT_EQ(a.find("event")->size(), 7u);  // 4 seen + 3 unseen standard
}

TEST(Attributes, VisitorSummarizesSessions) {
  const Value a = DeriveAttributes(ScriptedHistory(), MobileContext(), kNow);
  // Sessions start 40 d, 3 d, 2 h and 20 min ago.
  EXPECT_EQ(Number(a, "visitor.sessions"), 4);
  EXPECT_EQ(Number(a, "visitor.sessions_24h"), 2);
  EXPECT_EQ(Number(a, "visitor.sessions_7d"), 3);
  EXPECT_EQ(Number(a, "visitor.sessions_30d"), 3);
  EXPECT_EQ(Number(a, "visitor.pages_this_session"), 3);
  EXPECT_DOUBLE_EQ(Number(a, "visitor.days_since_first_seen"), 40);
  EXPECT_DOUBLE_EQ(Number(a, "visitor.days_since_last_seen"), 4.0 / 1440);
  EXPECT_EQ(*a.find_path("visitor.identified"), Value(true));
  // An hour later the session is over.
  const Value later =
      DeriveAttributes(ScriptedHistory(), MobileContext(), kNow + kHour);
  EXPECT_EQ(Number(later, "visitor.pages_this_session"), 0);
}

TEST(Attributes, AffinitiesListTopCategoriesStrongestFirst) {
  const Value a = DeriveAttributes(ScriptedHistory(), MobileContext(), kNow);
  EXPECT_EQ(*a.find("affinities"), Json(R"(["shoes", "bags", "tents"])"));
  const double shoes = Number(a, "affinity.shoes");
  const double bags = Number(a, "affinity.bags");
  const double tents = Number(a, "affinity.tents");
  EXPECT_GT(shoes, bags);
  EXPECT_GT(bags, tents);
  EXPECT_GT(tents, 0);
  EXPECT_NEAR(shoes + bags + tents, 1.0, 1e-12);
}

TEST(Attributes, IdentityTraitsAndPlaceholders) {
  const Value a = DeriveAttributes(ScriptedHistory(), MobileContext(), kNow);
  EXPECT_EQ(*a.find("id"), Value("anon-1"));
  EXPECT_EQ(*a.find("userId"), Value("user-7"));
  EXPECT_EQ(*a.find_path("traits.plan"), Value("pro"));
  EXPECT_EQ(*a.find("segments"), Value::MakeArray());
  ASSERT_NE(a.find("cluster"), nullptr);
  EXPECT_TRUE(a.find("cluster")->is_null());
}

TEST(Attributes, ContextUsesLocalTimeAndKeepsBuiltInsOverExtra) {
  const Value a = DeriveAttributes(ScriptedHistory(), MobileContext(), kNow);
  EXPECT_EQ(*a.find("context"), Json(R"({
      "device": "mobile", "hour": 9, "weekday": 4, "utc_offset_minutes": -300,
      "path": "/shoes", "url": "https://shop.example/shoes?x=1",
      "referrer": "https://search.example/", "language": "en-US",
      "campaign": "spring"})"));
}

TEST(Attributes, WeekdayAndHourCrossMidnightWithTheOffset) {
  const Profile p;
  Context c;
  const int64_t sunday_2330 = kMonday - 30 * kMinute;
  c.utc_offset_minutes = 60;
  Value a = DeriveAttributes(p, c, sunday_2330);
  EXPECT_EQ(Number(a, "context.weekday"), 1);
  EXPECT_EQ(Number(a, "context.hour"), 0);
  c.utc_offset_minutes = -60;
  a = DeriveAttributes(p, c, sunday_2330);
  EXPECT_EQ(Number(a, "context.weekday"), 0);
  EXPECT_EQ(Number(a, "context.hour"), 22);
  c.utc_offset_minutes = 100000;  // clamped to +18 h: Monday 17:30
  a = DeriveAttributes(p, c, sunday_2330);
  EXPECT_EQ(Number(a, "context.weekday"), 1);
  EXPECT_EQ(Number(a, "context.hour"), 17);
  EXPECT_EQ(Number(a, "context.utc_offset_minutes"), 18 * 60);
}

TEST(Attributes, EmptyProfileGivesNeutralValues) {
  Context c;
  c.device = "desktop";
  const Value a = DeriveAttributes(Profile(), c, kNow);
  EXPECT_TRUE(a.find("id")->is_null());
  EXPECT_TRUE(a.find("userId")->is_null());
  EXPECT_EQ(Number(a, "visitor.sessions"), 0);
  EXPECT_EQ(Number(a, "visitor.days_since_first_seen"), 0);
  EXPECT_EQ(Number(a, "visitor.pages_this_session"), 0);
  EXPECT_EQ(*a.find_path("visitor.identified"), Value(false));
  EXPECT_EQ(*a.find("affinities"), Value::MakeArray());
  EXPECT_EQ(*a.find("affinity"), Value::MakeObject());
  EXPECT_EQ(*a.find("traits"), Value::MakeObject());
  EXPECT_EQ(a.find("event")->size(), 6u);
  EXPECT_EQ(Number(a, "event.page_view.count_all"), 0);
}

TEST(Attributes, RecentBuyersRuleIsExpressible) {
  // {"event.purchase_complete.days_since_last": {"$exists": true, "$lte": 7}}
  // (a missing field is null to GrowthBook, and null <= 7 holds).
  Profile recent, lapsed, never;
  Record(&recent, "purchase_complete", kNow - 3 * kDay, R"({"value": 10})");
  Record(&lapsed, "purchase_complete", kNow - 10 * kDay, R"({"value": 10})");
  Record(&never, "page_view", kNow - kHour);
  const Context c;
  Value a = DeriveAttributes(recent, c, kNow);
  EXPECT_LE(Number(a, "event.purchase_complete.days_since_last"), 7);
  EXPECT_GT(Number(a, "event.purchase_complete.count_7d"), 0);
  a = DeriveAttributes(lapsed, c, kNow);
  EXPECT_GT(Number(a, "event.purchase_complete.days_since_last"), 7);
  EXPECT_EQ(Number(a, "event.purchase_complete.count_7d"), 0);
  a = DeriveAttributes(never, c, kNow);
  EXPECT_EQ(a.find_path("event.purchase_complete.days_since_last"), nullptr);
  EXPECT_EQ(Number(a, "event.purchase_complete.count_7d"), 0);
}

TEST(Attributes, EngagedVisitorsRuleIsExpressible) {
  // "More than 5 visits in the last 24 hours": visitor.sessions_24h > 5
  // (or, counting page views as visits, event.page_view.count_24h > 5).
  Profile engaged, browsing;
  for (int i = 6; i >= 1; --i)
    Record(&engaged, "page_view", kNow - i * 3 * kHour);
  for (int i = 6; i >= 1; --i)
    Record(&browsing, "page_view", kNow - i * kMinute);
  const Context c;
  Value a = DeriveAttributes(engaged, c, kNow);
  EXPECT_EQ(Number(a, "visitor.sessions_24h"), 6);
  EXPECT_EQ(Number(a, "event.page_view.count_24h"), 6);
  a = DeriveAttributes(browsing, c, kNow);
  EXPECT_EQ(Number(a, "visitor.sessions_24h"), 1);
  EXPECT_EQ(Number(a, "event.page_view.count_24h"), 6);
}

TEST(Attributes, DumpsToJsonThatParsesBackEqual) {
  const Value a = DeriveAttributes(ScriptedHistory(), MobileContext(), kNow);
  Result<Value> back = ParseJson(a.Dump());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, a);
}

// The in-place form reuses whatever the Value held; the result must be the
// fresh attributes exactly, member order included (Dump shows the order).
TEST(Attributes, DerivingOverAnyPreviousValueEqualsDerivingAfresh) {
  const Profile history = ScriptedHistory();
  Profile bought;
  Record(&bought, "purchase_complete", kNow - kHour, R"({"value": 5})");
  const Context mobile = MobileContext();
  Context desktop;
  desktop.device = "desktop";
  desktop.extra = Json(R"({"campaign": "fall", "ab": [1, 2]})");

  // Traits that equal each other loosely but not exactly: the same members
  // in another order, and -0 where there was 0.
  Profile traits_in_order, traits_reordered, traits_negative_zero;
  ASSERT_TRUE(traits_in_order
                  .Identify("u", Json(R"({"plan":"pro","n":0,"tags":[1,{"x":0}]})"))
                  .ok());
  ASSERT_TRUE(traits_reordered
                  .Identify("u", Json(R"({"n":0,"plan":"pro","tags":[1,{"x":0}]})"))
                  .ok());
  ASSERT_TRUE(traits_negative_zero
                  .Identify("u", Json(R"({"plan":"pro","n":0,"tags":[1,{"x":-0}]})"))
                  .ok());

  struct Step {
    const Profile* profile;
    const Context* context;
    int64_t now;
  };
  const Step steps[] = {
      {&history, &mobile, kNow},        {&history, &mobile, kNow + kHour},
      {&bought, &desktop, kNow},        {&history, &desktop, kNow},
      {&history, &mobile, kNow - kDay}, {&bought, &mobile, kNow + kDay},
      {&traits_in_order, &mobile, kNow}, {&traits_reordered, &mobile, kNow},
      {&traits_negative_zero, &mobile, kNow}, {&traits_in_order, &mobile, kNow},
  };
  const Value starts[] = {
      Value(),
      Value(7),
      Json(R"({"event": [1], "segments": {"a": 1}, "zzz": true})"),
      DeriveAttributes(bought, desktop, kNow + 5 * kDay),
  };
  for (const Value& start : starts) {
    Value reused = start;
    for (const Step& step : steps) {
      DeriveAttributes(*step.profile, *step.context, step.now, &reused);
      const Value fresh = DeriveAttributes(*step.profile, *step.context, step.now);
      EXPECT_EQ(reused.Dump(), fresh.Dump()) << "from " << start.Dump();
      const Value* zero = fresh.find_path("traits.tags.1.x");
      if (zero != nullptr) {
        EXPECT_EQ(std::signbit(reused.find_path("traits.tags.1.x")->as_number()),
                  std::signbit(zero->as_number()));
      }
      // What the segment evaluator does to the attributes in between.
      reused.find("segments")->push_back(Value("seg-x"));
      reused.erase("cluster");
    }
  }
}

}  // namespace
}  // namespace tessera
