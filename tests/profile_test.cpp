#include "tessera/profile.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tessera {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// 2024-01-01T00:00:00Z, a Monday.
constexpr int64_t kMonday = 1704067200000;

Event MakeEvent(std::string name, int64_t ts,
                Value properties = Value::MakeObject()) {
  Event e;
  e.name = std::move(name);
  e.timestamp_ms = ts;
  e.properties = std::move(properties);
  return e;
}

void RecordOk(Profile* p, std::string name, int64_t ts,
              Value properties = Value::MakeObject(), int offset = 0) {
  Status s =
      p->Record(MakeEvent(std::move(name), ts, std::move(properties)), offset);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

Value Props(const char* json) {
  Result<Value> v = ParseJson(json);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value();
}

// An independent table-driven CRC-32 (zlib's), used to forge records with a
// valid checksum so the reader's checks behind the checksum get exercised.
uint32_t ReferenceCrc32(const std::string& bytes) {
  static uint32_t table[256];
  static bool ready = false;
  if (!ready) {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    ready = true;
  }
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// "TSPR" + body + CRC-32 of both, little-endian.
std::string Seal(const std::string& body) {
  std::string record = "TSPR" + body;
  const uint32_t crc = ReferenceCrc32(record);
  for (int i = 0; i < 4; ++i)
    record.push_back(static_cast<char>(crc >> (8 * i)));
  return record;
}

std::string ToHex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(
        static_cast<char>(std::strtoul(hex.substr(i, 2).c_str(), nullptr, 16)));
  }
  return out;
}

// --- Windows -------------------------------------------------------------

TEST(ProfileWindows, LastHourIsExactToTheMinuteAtItsFarEdge) {
  // Whatever the alignment of `now` to minute boundaries, 59 minutes ago is
  // inside the hour and 61 minutes ago outside.
  for (int64_t jitter = 0; jitter < kMinute; jitter += 7 * kSecond + 13) {
    const int64_t now = kMonday + 10 * kDay + jitter;
    Profile p;
    RecordOk(&p, "page_view", now - 61 * kMinute);
    RecordOk(&p, "page_view", now - 59 * kMinute);
    EXPECT_EQ(p.Totals("page_view", now).last_1h.count, 1u) << jitter;
    EXPECT_EQ(p.Totals("page_view", now).last_24h.count, 2u) << jitter;
  }
}

uint64_t CountIn(const WindowTotals& t, int64_t window) {
  if (window == kHour) return t.last_1h.count;
  if (window == kDay) return t.last_24h.count;
  if (window == 7 * kDay) return t.last_7d.count;
  if (window == 30 * kDay) return t.last_30d.count;
  return t.last_90d.count;
}

TEST(ProfileWindows, EachWindowCountsInsideAndDropsBeyondOneBucketWidth) {
  const struct {
    int64_t window, granularity;
  } cases[] = {{kHour, kMinute},
               {kDay, kHour},
               {7 * kDay, 6 * kHour},
               {30 * kDay, kDay},
               {90 * kDay, kDay}};
  for (const auto& c : cases) {
    for (int64_t jitter :
         {int64_t{0}, 17 * kSecond, 5 * kHour + 59 * kMinute, 23 * kHour + 1}) {
      const int64_t now = kMonday + 200 * kDay + jitter;
      Profile inside, outside, exactly;
      RecordOk(&inside, "x", now - c.window + kSecond);
      RecordOk(&exactly, "x", now - c.window);
      RecordOk(&outside, "x", now - c.window - c.granularity);
      EXPECT_EQ(CountIn(inside.Totals("x", now), c.window), 1u)
          << c.window << " " << jitter;
      EXPECT_EQ(CountIn(exactly.Totals("x", now), c.window), 1u)
          << c.window << " " << jitter;
      EXPECT_EQ(CountIn(outside.Totals("x", now), c.window), 0u)
          << c.window << " " << jitter;
    }
  }
}

TEST(ProfileWindows, LifetimeKeepsEverythingAndWindowsNest) {
  Profile p;
  const int64_t now = kMonday + 400 * kDay;
  const int64_t ages[] = {200 * kDay, 60 * kDay, 20 * kDay,
                          3 * kDay,   5 * kHour, 10 * kMinute};
  for (int64_t age : ages) RecordOk(&p, "page_view", now - age);
  WindowTotals t = p.Totals("page_view", now);
  EXPECT_EQ(t.last_1h.count, 1u);
  EXPECT_EQ(t.last_24h.count, 2u);
  EXPECT_EQ(t.last_7d.count, 3u);
  EXPECT_EQ(t.last_30d.count, 4u);
  EXPECT_EQ(t.last_90d.count, 5u);
  EXPECT_EQ(t.all_time.count, 6u);
}

// EventType() with a window mask (what AttributeWatch asks for): the
// requested windows equal the full tally's, the others are zero.
TEST(ProfileWindows, EventTypeTalliesOnlyTheRequestedWindows) {
  Profile p;
  const int64_t now = kMonday + 400 * kDay;
  const int64_t ages[] = {200 * kDay, 60 * kDay, 20 * kDay,
                          3 * kDay,   5 * kHour, 10 * kMinute};
  for (int64_t age : ages) {
    RecordOk(&p, "purchase_complete", now - age, Props(R"({"value": 10})"));
  }
  const WindowTotals all = p.Totals("purchase_complete", now);
  EventTypeSummary some;
  ASSERT_TRUE(p.EventType("purchase_complete", now, &some, 2 | 8));  // 24h, 30d
  EXPECT_EQ(some.totals.last_24h.count, all.last_24h.count);
  EXPECT_DOUBLE_EQ(some.totals.last_24h.sum_value, all.last_24h.sum_value);
  EXPECT_EQ(some.totals.last_30d.count, all.last_30d.count);
  EXPECT_EQ(some.totals.last_1h.count, 0u);
  EXPECT_EQ(some.totals.last_7d.count, 0u);
  EXPECT_EQ(some.totals.last_90d.count, 0u);
  EXPECT_EQ(some.totals.all_time.count, 6u);
  EXPECT_DOUBLE_EQ(some.totals.all_time.sum_value, 60);
  EXPECT_EQ(some.last_seen_ms, now - 10 * kMinute);
  EventTypeSummary every;
  ASSERT_TRUE(p.EventType("purchase_complete", now, &every));
  EXPECT_EQ(every.totals.last_90d.count, all.last_90d.count);
  EXPECT_EQ(every.totals.last_1h.count, all.last_1h.count);
}

TEST(ProfileWindows, SumsTheMonetaryValueAndTreatsBadValuesAsZero) {
  Profile p;
  const int64_t now = kMonday;
  RecordOk(&p, "purchase_complete", now - 2 * kDay, Props(R"({"value": 40})"));
  RecordOk(&p, "purchase_complete", now - kHour, Props(R"({"value": 2.5})"));
  RecordOk(&p, "purchase_complete", now - kMinute, Props(R"({"value": "12"})"));
  WindowTotals t = p.Totals("purchase_complete", now);
  EXPECT_DOUBLE_EQ(t.last_24h.sum_value, 2.5);
  EXPECT_DOUBLE_EQ(t.last_7d.sum_value, 42.5);
  EXPECT_DOUBLE_EQ(t.all_time.sum_value, 42.5);
  EXPECT_EQ(t.last_24h.count, 2u);
}

// Prices are decimal, doubles are binary: added as doubles, 0.01 + 2.09 is
// 2.0999999999999996 and 64.13 + 35.8 + 0.07 is 99.99999999999999, which a
// rule "sum_value_30d >= 100" misses and a template prints. Whole cents add
// exactly, in one bucket, across buckets and over the lifetime alike.
TEST(ProfileWindows, SumsOfPricesAreExactInCents) {
  Profile p;
  const int64_t now = kMonday;
  RecordOk(&p, "add_to_cart", now - 3 * kHour, Props(R"({"value": 0.01})"));
  RecordOk(&p, "add_to_cart", now - kMinute, Props(R"({"value": 2.09})"));
  for (const char* value : {"64.13", "35.8", "0.07"}) {
    RecordOk(&p, "purchase_complete", now - kMinute,
             Props((std::string(R"({"value": )") + value + "}").c_str()));
  }
  const WindowTotals cart = p.Totals("add_to_cart", now);
  EXPECT_EQ(cart.last_1h.sum_value, 2.09);
  EXPECT_EQ(cart.last_24h.sum_value, 2.1);
  EXPECT_EQ(cart.all_time.sum_value, 2.1);
  const WindowTotals bought = p.Totals("purchase_complete", now);
  EXPECT_EQ(bought.last_1h.sum_value, 100);
  EXPECT_EQ(bought.last_30d.sum_value, 100);
  EXPECT_EQ(bought.all_time.sum_value, 100);
}

// Random whole-cent prices across the buckets of the last 50 minutes, so that
// every window holds all of them: each window's sum is the exact sum of the
// cents, whether the doubles' sum happened to land on it or not.
TEST(ProfileWindows, RandomSumsOfPricesAreExact) {
  std::mt19937 random(20261208);
  std::uniform_int_distribution<int64_t> cents_of(1, 10'000'000);
  std::uniform_int_distribution<int64_t> minutes_ago(0, 50);
  for (int run = 0; run < 50; ++run) {
    Profile p;
    const int64_t now = kMonday;
    int64_t exact_cents = 0;
    for (int i = 0; i < 120; ++i) {
      const int64_t cents = cents_of(random);
      exact_cents += cents;
      const std::string props = "{\"value\": " + std::to_string(cents / 100) +
                                "." + (cents % 100 < 10 ? "0" : "") +
                                std::to_string(cents % 100) + "}";
      RecordOk(&p, "purchase_complete", now - minutes_ago(random) * kMinute,
               Props(props.c_str()));
    }
    const double exact = static_cast<double>(exact_cents) / 100;
    const WindowTotals t = p.Totals("purchase_complete", now);
    for (const Tally& window : {t.last_1h, t.last_24h, t.last_7d, t.last_30d,
                                t.last_90d, t.all_time}) {
      ASSERT_EQ(window.count, 120u) << "run " << run;
      ASSERT_EQ(window.sum_value, exact) << "run " << run;
    }
  }
}

// Each value is finite, but their sum is not: the sums saturate at the
// largest double instead of becoming infinity (which a refund of the same
// size would turn into NaN), since no stored record may hold either.
TEST(ProfileWindows, HugeSumsSaturateAndStillRoundTrip) {
  Profile p;
  const int64_t now = kMonday;
  const double kMax = std::numeric_limits<double>::max();
  RecordOk(&p, "purchase_complete", now - kMinute,
           Props(R"({"value": 1e308})"));
  RecordOk(&p, "purchase_complete", now - kMinute,
           Props(R"({"value": 1e308})"));
  EXPECT_EQ(p.Totals("purchase_complete", now).all_time.sum_value, kMax);
  RecordOk(&p, "purchase_complete", now - kMinute,
           Props(R"({"value": -1e308})"));
  const WindowTotals t = p.Totals("purchase_complete", now);
  EXPECT_EQ(t.all_time.sum_value, kMax - 1e308);
  EXPECT_EQ(t.last_1h.sum_value, kMax - 1e308);
  Result<Profile> back = Profile::Deserialize(p.Serialize());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Totals("purchase_complete", now).last_24h.sum_value,
            kMax - 1e308);
}

TEST(ProfileWindows, UnknownEventTypeHasZeroTotals) {
  Profile p;
  RecordOk(&p, "page_view", kMonday);
  WindowTotals t = p.Totals("purchase_complete", kMonday);
  EXPECT_EQ(t.all_time.count, 0u);
  EXPECT_EQ(t.last_1h.count, 0u);
  EXPECT_FALSE(p.HasSeen("purchase_complete"));
}

TEST(ProfileWindows, OutOfOrderEventsLandInTheirOwnBuckets) {
  Profile p;
  const int64_t now = kMonday + 100 * kDay;
  RecordOk(&p, "add_to_cart", now - kMinute);
  RecordOk(&p, "add_to_cart", now - 30 * kMinute);  // late, inside 1h
  RecordOk(&p, "add_to_cart", now - 3 * kDay);      // late, inside 7d
  RecordOk(&p, "add_to_cart", now - 40 * kDay);     // late, inside 90d
  RecordOk(&p, "add_to_cart", now - 95 * kDay);     // late, lifetime only
  WindowTotals t = p.Totals("add_to_cart", now);
  EXPECT_EQ(t.last_1h.count, 2u);
  EXPECT_EQ(t.last_24h.count, 2u);
  EXPECT_EQ(t.last_7d.count, 3u);
  EXPECT_EQ(t.last_30d.count, 3u);
  EXPECT_EQ(t.last_90d.count, 4u);
  EXPECT_EQ(t.all_time.count, 5u);
  std::vector<EventTypeSummary> types = p.EventTypes(now);
  ASSERT_EQ(types.size(), 1u);
  EXPECT_EQ(types[0].first_seen_ms, now - 95 * kDay);
  EXPECT_EQ(types[0].last_seen_ms, now - kMinute);
  EXPECT_EQ(p.first_seen_ms(), now - 95 * kDay);
  EXPECT_EQ(p.last_seen_ms(), now - kMinute);
}

TEST(ProfileWindows, EventsAfterNowCountAsRecent) {
  Profile p;
  RecordOk(&p, "page_view", kMonday + 2 * kMinute);  // client clock skew
  EXPECT_EQ(p.Totals("page_view", kMonday).last_1h.count, 1u);
}

// --- Validation ----------------------------------------------------------

TEST(ProfileRecord, RejectsBadInputWithoutRecording) {
  Profile p;
  Status s = p.Record(MakeEvent("", kMonday), 0);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("event name"), std::string::npos);
  s = p.Record(MakeEvent(std::string(65, 'a'), kMonday), 0);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  s = p.Record(MakeEvent("page_view", -1), 0);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("timestamp"), std::string::npos);
  s = p.Record(MakeEvent("page_view", Profile::kMaxTimestampMs + 1), 0);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  s = p.Record(MakeEvent("page_view", kMonday), 19 * 60);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("utc_offset_minutes"), std::string::npos);
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.event_type_count(), 0u);
  EXPECT_EQ(p.session_count(), 0u);
}

// --- Sessions ------------------------------------------------------------

TEST(ProfileSessions, ThirtyMinutesIdleStartsANewSession) {
  Profile p;
  RecordOk(&p, "page_view", kMonday);
  RecordOk(&p, "page_view", kMonday + 10 * kMinute);
  RecordOk(&p, "page_view", kMonday + 40 * kMinute);  // exactly 30 min idle
  EXPECT_EQ(p.session_count(), 1u);
  EXPECT_EQ(p.current_session_start_ms(), kMonday);
  EXPECT_EQ(p.PagesThisSession(kMonday + 41 * kMinute), 3u);

  RecordOk(&p, "page_view", kMonday + 70 * kMinute + 1);  // 30 min + 1 ms
  EXPECT_EQ(p.session_count(), 2u);
  EXPECT_EQ(p.current_session_start_ms(), kMonday + 70 * kMinute + 1);
  EXPECT_EQ(p.PagesThisSession(kMonday + 71 * kMinute), 1u);
  RecordOk(&p, "add_to_cart", kMonday + 72 * kMinute);
  EXPECT_EQ(p.PagesThisSession(kMonday + 73 * kMinute), 1u);
  // Once idle for more than 30 minutes the current session is over.
  EXPECT_EQ(p.PagesThisSession(kMonday + 103 * kMinute), 0u);
}

TEST(ProfileSessions, CountsSessionsPerWindow) {
  Profile p;
  const int64_t now = kMonday + 30 * kDay;
  for (int i = 3; i >= 0; --i) {
    RecordOk(&p, "page_view", now - 3 * kDay - i * kHour);
  }
  for (int i = 5; i >= 0; --i) RecordOk(&p, "page_view", now - i * 2 * kHour);
  WindowTotals t = p.SessionTotals(now);
  EXPECT_EQ(t.last_1h.count, 1u);
  EXPECT_EQ(t.last_24h.count, 6u);
  EXPECT_EQ(t.last_7d.count, 10u);
  EXPECT_EQ(t.all_time.count, 10u);
  EXPECT_EQ(p.session_count(), 10u);
}

TEST(ProfileSessions, LateEventJustBeforeTheSessionStretchesIt) {
  Profile p;
  RecordOk(&p, "page_view", kMonday + kHour);
  RecordOk(&p, "page_view", kMonday + kHour - 10 * kMinute);  // late
  EXPECT_EQ(p.session_count(), 1u);
  EXPECT_EQ(p.current_session_start_ms(), kMonday + kHour - 10 * kMinute);
  EXPECT_EQ(p.PagesThisSession(kMonday + kHour), 2u);
  // Much older: a past session; counted in the event windows only.
  RecordOk(&p, "page_view", kMonday);
  EXPECT_EQ(p.session_count(), 1u);
  EXPECT_EQ(p.PagesThisSession(kMonday + kHour), 2u);
  EXPECT_EQ(p.Totals("page_view", kMonday + kHour).last_24h.count, 3u);
}

// --- Affinities ----------------------------------------------------------

TEST(ProfileAffinities, PurchaseOutweighsCartOutweighsPageView) {
  Profile p;
  RecordOk(&p, "page_view", kMonday, Props(R"({"category": "shoes"})"));
  RecordOk(&p, "page_view", kMonday, Props(R"({"category": "shoes"})"));
  RecordOk(&p, "add_to_cart", kMonday, Props(R"({"category": "bags"})"));
  RecordOk(&p, "purchase_complete", kMonday,
           Props(R"({"items": [{"category": "hats"}]})"));
  std::vector<CategoryAffinity> top = p.TopAffinities(kMonday);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].category, "hats");
  EXPECT_EQ(top[1].category, "bags");
  EXPECT_EQ(top[2].category, "shoes");
  EXPECT_GT(top[0].score, top[1].score);
  EXPECT_GT(top[1].score, top[2].score);
  EXPECT_DOUBLE_EQ(top[2].score, 2.0);
  EXPECT_NEAR(top[0].share + top[1].share + top[2].share, 1.0, 1e-12);
}

TEST(ProfileAffinities, DecayHalvesEveryFourteenDays) {
  Profile p;
  RecordOk(&p, "page_view", kMonday, Props(R"({"category": "shoes"})"));
  EXPECT_NEAR(p.TopAffinities(kMonday + 14 * kDay)[0].score, 0.5, 1e-12);
  EXPECT_NEAR(p.TopAffinities(kMonday + 28 * kDay)[0].score, 0.25, 1e-12);
  // A new event adds to the decayed score.
  RecordOk(&p, "page_view", kMonday + 14 * kDay,
           Props(R"({"category": "shoes"})"));
  EXPECT_NEAR(p.TopAffinities(kMonday + 14 * kDay)[0].score, 1.5, 1e-12);
}

// The decay is the core's own 2^x (no libm table in the browser build); it
// must stay within one unit in the last place of std::exp2 at every age.
TEST(ProfileAffinities, DecayAgreesWithExp2AtEveryAge) {
  Profile p;
  RecordOk(&p, "page_view", kMonday, Props(R"({"category": "shoes"})"));
  const double half_life = static_cast<double>(Profile::kAffinityHalfLifeMs);
  for (int64_t age = kMinute; age < 3000 * kDay; age = age * 3 / 2 + 7) {
    const double expected = std::exp2(-static_cast<double>(age) / half_life);
    const double score = p.TopAffinities(kMonday + age)[0].score;
    EXPECT_LE(std::fabs(score - expected),
              std::nextafter(expected, 2.0) - expected)
        << "age " << age << " ms";
  }
}

TEST(ProfileAffinities, RecentInterestOvertakesAnOldStrongOne) {
  Profile p;
  RecordOk(&p, "purchase_complete", kMonday, Props(R"({"category": "tents"})"));
  RecordOk(&p, "page_view", kMonday + 70 * kDay,
           Props(R"({"category": "shoes"})"));
  std::vector<CategoryAffinity> top = p.TopAffinities(kMonday + 70 * kDay);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].category, "shoes");
  EXPECT_NEAR(top[1].score, 10.0 / 32, 1e-9);  // five half-lives
}

TEST(ProfileAffinities, ReadsAllCategoryFieldsOncePerEvent) {
  Profile p;
  RecordOk(&p, "add_to_cart", kMonday, Props(R"({
      "category": "shoes", "categories": ["shoes", "sale", 7, ""],
      "items": [{"category": "sale"}, {"category": "socks"}, {"sku": "x"}]})"));
  RecordOk(&p, "remove_from_cart", kMonday, Props(R"({"category": "hats"})"));
  std::vector<CategoryAffinity> top = p.TopAffinities(kMonday);
  ASSERT_EQ(top.size(), 3u);
  for (const CategoryAffinity& a : top) EXPECT_DOUBLE_EQ(a.score, 4.0);
  EXPECT_EQ(top[0].category, "sale");  // ties by name
  EXPECT_EQ(top[1].category, "shoes");
  EXPECT_EQ(top[2].category, "socks");
}

TEST(ProfileAffinities, ReportsTopEightAndReplacesTheWeakestWhenFull) {
  Profile p;
  for (int i = 0; i < 16; ++i) {
    RecordOk(&p, "page_view", kMonday + i * kMinute,
             Props(("{\"category\": \"c" + std::to_string(i) + "\"}").c_str()));
  }
  std::vector<CategoryAffinity> top = p.TopAffinities(kMonday + kHour);
  EXPECT_EQ(top.size(), Profile::kTopAffinities);
  EXPECT_EQ(top[0].category, "c15");  // most recent decays least
  // A 17th category with a stronger signal replaces the weakest (c0).
  RecordOk(&p, "purchase_complete", kMonday + kHour,
           Props(R"({"category": "new"})"));
  top = p.TopAffinities(kMonday + kHour);
  EXPECT_EQ(top[0].category, "new");
  // c0 is no longer stored at all.
  std::string bytes = p.Serialize();
  EXPECT_EQ(bytes.find(std::string("\x02"
                                   "c0")),
            std::string::npos);
  EXPECT_NE(bytes.find(std::string("\x02"
                                   "c1")),
            std::string::npos);
  EXPECT_NE(bytes.find(std::string("\x03"
                                   "new")),
            std::string::npos);
}

// --- Hour of week --------------------------------------------------------

TEST(ProfileHourOfWeek, UsesTheVisitorsLocalTime) {
  Profile p;
  const int64_t monday_1030_utc = kMonday + 10 * kHour + 30 * kMinute;
  RecordOk(&p, "page_view", monday_1030_utc, Value::MakeObject(), 120);
  RecordOk(&p, "page_view", monday_1030_utc, Value::MakeObject(), -11 * 60);
  RecordOk(&p, "page_view", monday_1030_utc, Value::MakeObject(), 0);
  const auto& hours = p.hour_of_week();
  EXPECT_EQ(hours[1 * 24 + 12], 1u);  // Monday 12:30 in UTC+2
  EXPECT_EQ(hours[0 * 24 + 23], 1u);  // Sunday 23:30 in UTC-11
  EXPECT_EQ(hours[1 * 24 + 10], 1u);  // Monday 10:30 UTC
  uint64_t total = 0;
  for (uint32_t c : hours) total += c;
  EXPECT_EQ(total, 3u);
  EXPECT_EQ(p.utc_offset_minutes(), 0);
}

TEST(ProfileHourOfWeek, SaturdayNightWrapsToSundayMidnight) {
  Profile p;
  const int64_t saturday_2330 = kMonday + 5 * kDay + 23 * kHour + 30 * kMinute;
  RecordOk(&p, "page_view", saturday_2330, Value::MakeObject(), 60);
  EXPECT_EQ(p.hour_of_week()[0], 1u);  // Sunday 00:30 local
  EXPECT_EQ(p.utc_offset_minutes(), 60);
}

// --- Eviction and memory -------------------------------------------------

TEST(ProfileEviction, EvictsLeastRecentlySeenCustomTypeNeverStandard) {
  Profile p;
  const char* standard[] = {"page_view",        "add_to_cart",
                            "remove_from_cart", "purchase_complete",
                            "form_submit",      "video_played"};
  for (const char* name : standard) RecordOk(&p, name, kMonday);  // oldest
  for (size_t i = 0; p.event_type_count() < Profile::kMaxEventTypes; ++i) {
    RecordOk(&p, "custom_" + std::to_string(i), kMonday + kHour + i * kMinute);
  }
  RecordOk(&p, "custom_0", kMonday + 5 * kHour);  // now the freshest custom
  RecordOk(&p, "newcomer", kMonday + 6 * kHour);
  EXPECT_EQ(p.event_type_count(), Profile::kMaxEventTypes);
  EXPECT_TRUE(p.HasSeen("newcomer"));
  EXPECT_TRUE(p.HasSeen("custom_0"));
  EXPECT_FALSE(p.HasSeen("custom_1"));  // least recently seen custom type
  for (const char* name : standard) EXPECT_TRUE(p.HasSeen(name)) << name;
}

TEST(ProfileEviction, DropsANewTypeOlderThanEveryStoredCustomType) {
  Profile p;
  for (size_t i = 0; p.event_type_count() < Profile::kMaxEventTypes; ++i) {
    RecordOk(&p, "custom_" + std::to_string(i), kMonday + kDay + i * kMinute);
  }
  RecordOk(&p, "ancient", kMonday);
  EXPECT_FALSE(p.HasSeen("ancient"));
  EXPECT_TRUE(p.HasSeen("custom_0"));
  EXPECT_EQ(p.first_seen_ms(), kMonday);  // still part of the visitor's history
}

TEST(ProfileMemory, OneTypeEveryMinuteForMonthsStaysBounded) {
  Profile p;
  for (int64_t t = 0; t < 100 * kDay; t += kMinute) {
    RecordOk(&p, "page_view", kMonday + t, Props(R"({"value": 1.5})"));
  }
  const int64_t now = kMonday + 100 * kDay;
  WindowTotals totals = p.Totals("page_view", now);
  EXPECT_EQ(totals.last_1h.count, 60u);
  EXPECT_EQ(totals.last_24h.count, 24u * 60);
  EXPECT_EQ(totals.all_time.count, 100u * 24 * 60);
  std::printf("one type every minute: %zu bytes in memory, %zu serialized\n",
              p.ApproximateMemoryBytes(), p.Serialize().size());
  // 206 buckets of 16 bytes, plus fixed overhead.
  EXPECT_LT(p.ApproximateMemoryBytes(), 6000u);
  EXPECT_LT(p.Serialize().size(), 3000u);
}

const char* const kStandardEvents[] = {"page_view",        "add_to_cart",
                                       "remove_from_cart", "purchase_complete",
                                       "form_submit",      "video_played"};

// A returning shopper over 90 days: two visits a week, each 8 page views and
// 7 other events drawn in turn from 19 further types (5 standard, 14
// custom), with prices and categories.
TEST(ProfileMemory, ReturningShopperWithTwentyTypesTakesAFewKilobytes) {
  Profile p;
  size_t next_type = 0;
  for (int day = 0; day < 90; ++day) {
    if (day % 7 != 1 && day % 7 != 5) continue;
    const int64_t start = kMonday + day * kDay + 19 * kHour;
    for (int m = 0; m < 15; ++m) {
      std::string name = "page_view";
      if (m >= 8) {
        const size_t t = 1 + next_type++ % 19;
        name = t < 6 ? kStandardEvents[t] : "custom_" + std::to_string(t);
      }
      RecordOk(&p, name, start + m * kMinute,
               Props(R"({"value": 19.99, "category": "shoes"})"), 60);
    }
  }
  EXPECT_EQ(p.event_type_count(), 20u);
  std::printf("returning shopper: %zu bytes in memory, %zu serialized\n",
              p.ApproximateMemoryBytes(), p.Serialize().size());
  EXPECT_LT(p.ApproximateMemoryBytes(), 10 * 1024u);
  EXPECT_LT(p.Serialize().size(), 3 * 1024u);
}

// The heavy end: three 20-minute visits a week for 90 days with an event a
// minute cycling through all 20 types, so every type is seen on every visit.
TEST(ProfileMemory, HeavyVisitorWithTwentyTypesStaysBounded) {
  Profile p;
  uint64_t events = 0;
  for (int day = 0; day < 90; ++day) {
    if (day % 7 != 0 && day % 7 != 2 && day % 7 != 5) continue;
    const int64_t start = kMonday + day * kDay + 19 * kHour;
    for (int m = 0; m < 20; ++m, ++events) {
      const std::string name = events % 20 < 6
                                   ? kStandardEvents[events % 20]
                                   : "custom_" + std::to_string(events % 20);
      RecordOk(&p, name, start + m * kMinute,
               Props(R"({"value": 19.99, "category": "shoes"})"), 60);
    }
  }
  EXPECT_EQ(p.event_type_count(), 20u);
  std::printf("heavy visitor: %zu bytes in memory, %zu serialized\n",
              p.ApproximateMemoryBytes(), p.Serialize().size());
  EXPECT_LT(p.ApproximateMemoryBytes(), 24 * 1024u);
  EXPECT_LT(p.Serialize().size(), 6 * 1024u);
}

// --- Identity ------------------------------------------------------------

TEST(ProfileIdentity, IdentifyMergesTraitsForTheSamePerson) {
  Profile p;
  ASSERT_TRUE(p.SetAnonymousId("anon-1").ok());
  ASSERT_TRUE(
      p.Identify("", Props(R"({"plan": "free", "country": "FR"})")).ok());
  ASSERT_TRUE(p.Identify("user-7", Props(R"({"plan": "pro"})")).ok());
  EXPECT_EQ(p.user_id(), "user-7");
  EXPECT_EQ(p.anonymous_id(), "anon-1");
  EXPECT_EQ(p.traits(), Props(R"({"plan": "pro", "country": "FR"})"));
  ASSERT_TRUE(p.Identify("user-7", Value()).ok());
  EXPECT_EQ(p.traits(), Props(R"({"plan": "pro", "country": "FR"})"));
}

TEST(ProfileIdentity, AnotherUserIdReplacesTheTraits) {
  Profile p;
  ASSERT_TRUE(
      p.Identify("alice", Props(R"({"plan": "pro", "vip": true})")).ok());
  ASSERT_TRUE(p.Identify("bob", Props(R"({"plan": "free"})")).ok());
  EXPECT_EQ(p.user_id(), "bob");
  EXPECT_EQ(p.traits(), Props(R"({"plan": "free"})"));
}

TEST(ProfileIdentity, RefusesMoreTraitKeysThanFitBeforeMergingThem) {
  Profile p;
  ASSERT_TRUE(p.Identify("u", Props(R"({"a": 1})")).ok());
  std::string text = "{";
  for (int i = 0; i < 20000; ++i) {
    text += (i > 0 ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  }
  text += "}";
  Result<Value> many = ParseJson(text);
  ASSERT_TRUE(many.ok());
  Status s = p.Identify("u", *many);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_NE(s.message().find("20000 keys"), std::string::npos) << s.message();
  EXPECT_EQ(p.traits(), Props(R"({"a": 1})"));
}

TEST(ProfileIdentity, RejectsBadTraitsAndIdsAndKeepsState) {
  Profile p;
  ASSERT_TRUE(p.Identify("u", Props(R"({"a": 1})")).ok());
  Status s = p.Identify("u", Value("plan=pro"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("traits"), std::string::npos);
  Value huge = Value::MakeObject();
  huge.set("blob", Value(std::string(Profile::kMaxTraitsBytes, 'x')));
  s = p.Identify("u", huge);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  Value deep = Value::MakeObject();
  for (int i = 0; i < 100; ++i) {
    Value outer = Value::MakeObject();
    outer.set("d", std::move(deep));
    deep = std::move(outer);
  }
  s = p.Identify("u", deep);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  s = p.Identify(std::string(300, 'u'), Value());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  s = p.SetAnonymousId(std::string(300, 'a'));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.user_id(), "u");
  EXPECT_EQ(p.traits(), Props(R"({"a": 1})"));
}

TEST(ProfileIdentity, ClearForgetsEverything) {
  Profile p;
  ASSERT_TRUE(p.SetAnonymousId("anon").ok());
  ASSERT_TRUE(p.Identify("u", Props(R"({"a": 1})")).ok());
  RecordOk(&p, "page_view", kMonday, Props(R"({"category": "shoes"})"));
  p.Clear();
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.anonymous_id(), "");
  EXPECT_EQ(p.user_id(), "");
  EXPECT_TRUE(p.traits().is_null());
  EXPECT_EQ(p.event_type_count(), 0u);
  EXPECT_EQ(p.session_count(), 0u);
  EXPECT_TRUE(p.TopAffinities(kMonday).empty());
  EXPECT_EQ(p.hour_of_week()[24], 0u);
  EXPECT_EQ(p.Serialize(), Profile().Serialize());
}

TEST(ProfileValue, CopiesAreIndependentAndMovesLeaveAnEmptyProfile) {
  Profile a;
  RecordOk(&a, "page_view", kMonday);
  Profile b = a;
  RecordOk(&b, "page_view", kMonday + kMinute);
  EXPECT_EQ(a.Totals("page_view", kMonday).all_time.count, 1u);
  EXPECT_EQ(b.Totals("page_view", kMonday).all_time.count, 2u);
  Profile c = std::move(b);
  EXPECT_EQ(c.Totals("page_view", kMonday).all_time.count, 2u);
  EXPECT_TRUE(b.empty());  // NOLINT: documented moved-from state
  RecordOk(&b, "page_view", kMonday);
}

// --- Serialization -------------------------------------------------------

Profile ScriptedProfile() {
  Profile p;
  EXPECT_TRUE(p.SetAnonymousId("a-1b2c").ok());
  EXPECT_TRUE(
      p.Identify("user-42", Props(R"({"plan": "pro", "age": 31})")).ok());
  RecordOk(&p, "page_view", kMonday, Props(R"({"category": "shoes"})"), 60);
  RecordOk(&p, "page_view", kMonday + 5 * kMinute,
           Props(R"({"category": "bags"})"), 60);
  RecordOk(&p, "add_to_cart", kMonday + 6 * kMinute,
           Props(R"({"category": "shoes", "value": 59.9})"), 60);
  RecordOk(&p, "purchase_complete", kMonday + 2 * kDay,
           Props(R"({"value": 120.5, "items": [{"category": "shoes"}]})"), 60);
  RecordOk(&p, "newsletter_signup", kMonday + 2 * kDay + kMinute,
           Value::MakeObject(), 60);
  return p;
}

TEST(ProfileSerialization, RoundTripKeepsEverything) {
  const Profile p = ScriptedProfile();
  const std::string bytes = p.Serialize();
  Result<Profile> back = Profile::Deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Serialize(), bytes);
  const int64_t now = kMonday + 2 * kDay + kHour;
  EXPECT_EQ(back->anonymous_id(), "a-1b2c");
  EXPECT_EQ(back->user_id(), "user-42");
  EXPECT_EQ(back->traits(), p.traits());
  EXPECT_EQ(back->utc_offset_minutes(), 60);
  EXPECT_EQ(back->session_count(), 2u);
  EXPECT_EQ(back->current_session_start_ms(), p.current_session_start_ms());
  EXPECT_EQ(back->first_seen_ms(), kMonday);
  EXPECT_EQ(back->hour_of_week(), p.hour_of_week());
  for (const char* name :
       {"page_view", "add_to_cart", "purchase_complete", "newsletter_signup"}) {
    WindowTotals a = p.Totals(name, now), b = back->Totals(name, now);
    EXPECT_EQ(a.last_1h.count, b.last_1h.count) << name;
    EXPECT_EQ(a.last_7d.count, b.last_7d.count) << name;
    EXPECT_EQ(a.all_time.sum_value, b.all_time.sum_value) << name;
  }
  std::vector<CategoryAffinity> x = p.TopAffinities(now);
  std::vector<CategoryAffinity> y = back->TopAffinities(now);
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].category, y[i].category);
    EXPECT_EQ(x[i].score, y[i].score);
  }
}

TEST(ProfileSerialization, EmptyProfileRoundTripsInAFewBytes) {
  const std::string bytes = Profile().Serialize();
  EXPECT_LT(bytes.size(), 16u);
  Result<Profile> back = Profile::Deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->empty());
}

TEST(ProfileSerialization, Base64RoundTripsAndRejectsBadText) {
  const Profile p = ScriptedProfile();
  const std::string text = p.SerializeBase64();
  for (char c : text) {
    EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '+' ||
                c == '/' || c == '=');
  }
  Result<Profile> back = Profile::DeserializeBase64(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Serialize(), p.Serialize());
  const std::string bad_texts[] = {text.substr(1), text + "A",
                                   "====", "TSPR!!!!",
                                   text.substr(0, text.size() - 4) + "A==="};
  for (const std::string& bad : bad_texts) {
    Result<Profile> r = Profile::DeserializeBase64(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << bad;
  }
}

TEST(ProfileSerialization, EveryTruncationIsDataLoss) {
  const std::string bytes = ScriptedProfile().Serialize();
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<Profile> r = Profile::Deserialize(bytes.substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << n;
  }
}

TEST(ProfileSerialization, EveryFlippedBitIsDataLoss) {
  const std::string bytes = ScriptedProfile().Serialize();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      Result<Profile> r = Profile::Deserialize(bad);
      ASSERT_FALSE(r.ok()) << i << ":" << bit;
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << i << ":" << bit;
    }
  }
}

TEST(ProfileSerialization, NamesWhatIsWrong) {
  const std::string bytes = Profile().Serialize();
  Result<Profile> r = Profile::Deserialize("XSPR" + bytes.substr(4));
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("magic"), std::string::npos);

  r = Profile::Deserialize(bytes.substr(0, bytes.size() - 1) + "\x01");
  EXPECT_NE(r.status().message().find("checksum"), std::string::npos);

  r = Profile::Deserialize("TSP");
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos);

  r = Profile::Deserialize(std::string(Profile::kMaxSerializedBytes + 1, 'T'));
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("limit"), std::string::npos);
}

TEST(ProfileSerialization, UnknownFutureVersionIsUnsupported) {
  // A correct checksum (from an independent CRC implementation) makes the
  // reader get as far as the version.
  ASSERT_EQ(ReferenceCrc32("123456789"), 0xCBF43926u);
  const std::string current = Profile().Serialize();
  ASSERT_EQ(Seal(current.substr(4, current.size() - 8)), current);

  Result<Profile> r = Profile::Deserialize(Seal(Varint(2) + "whatever"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("version 2"), std::string::npos);
  r = Profile::Deserialize(Seal(Varint(1u << 20)));
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  r = Profile::Deserialize(Seal(Varint(0)));
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
}

// The checksum takes four bytes at a step and the rest one at a time:
// records of every length modulo 4 (and of several steps) carry the CRC-32
// an independent implementation computes.
TEST(ProfileSerialization, ChecksumMatchesAReferenceCrcAtEveryLength) {
  for (size_t extra = 0; extra < 12; ++extra) {
    Profile profile;
    Value traits = Value::MakeObject();
    traits.set("note", std::string(extra, 'x'));
    ASSERT_TRUE(profile.Identify("u-1", traits).ok());
    const std::string record = profile.Serialize();
    ASSERT_GT(record.size(), 8u);
    EXPECT_EQ(Seal(record.substr(4, record.size() - 8)), record)
        << "traits note of " << extra << " bytes";
    EXPECT_TRUE(Profile::Deserialize(record).ok());
  }
}

TEST(ProfileSerialization, AbsurdLengthsAndCountsAreDataLossNotAllocations) {
  const std::string v1 = Varint(1);
  // Empty ids and traits, UTC.
  const std::string kNoIdentity = Varint(0) + Varint(0) + Varint(0) + Varint(0);
  // first seen, last seen, session start (1 ms each), pages this session.
  const std::string kTimes = Varint(2) + Varint(2) + Varint(2) + Varint(0);
  // total 1, newest 1 ms, zero value; per tier one bucket: index 0, count 1.
  std::string kOneEventCounter = Varint(1) + Varint(2) + Varint(0);
  for (int tier = 0; tier < 4; ++tier) {
    kOneEventCounter += Varint(1) + Varint(0) + Varint(1 << 2);
  }
  struct Case {
    std::string body;
    const char* expect;
  } cases[] = {
      {v1 + Varint(uint64_t{1} << 40), "anonymous id"},
      {v1 + Varint(200) + "ab", "anonymous id"},  // within cap, beyond end
      {v1 + "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", "overflows"},
      {v1 + std::string("\x81\x00", 2), "minimally"},
      {v1 + Varint(0) + Varint(0) + Varint(2) + "[]", "not an object"},
      {v1 + Varint(0) + Varint(0) + Varint(3) + "{x}", "not valid JSON"},
      {v1 + Varint(0) + Varint(0) + Varint(0) + Varint(5000), "utc offset"},
      {v1 + Varint(0) + Varint(0) + Varint(0) + Varint(0) + Varint(2),
       "activity flag"},
      // Activity: times 1 ms (zigzag 2), a session counter holding one
      // event, then 1000 event types.
      {v1 + kNoIdentity + Varint(1) + kTimes + kOneEventCounter + Varint(1000),
       "event type count"},
      // One event type whose counter claims 100000 minute buckets.
      {v1 + kNoIdentity + Varint(1) + kTimes + kOneEventCounter + Varint(1) +
           Varint(1) + "x" + Varint(2) + Varint(2) + Varint(1) + Varint(2) +
           Varint(0) + Varint(100000),
       "bucket count"},
      // Session counters whose newest event is 2 days in (zigzag 2 * ms):
      // a minute bucket long before the last hour; one after the newest.
      {v1 + kNoIdentity + Varint(1) + kTimes + Varint(1) + Varint(4 * kDay) +
           Varint(0) + Varint(1) + Varint(5) + Varint(4),
       "outside"},
      {v1 + kNoIdentity + Varint(1) + kTimes + Varint(1) + Varint(4 * kDay) +
           Varint(0) + Varint(1) + Varint(2 * 24 * 60 + 1) + Varint(4),
       "bucket gap"},
      // A value in cents that is zero, or a double that is a whole cent
      // amount: readable, but not the one canonical form.
      {v1 + kNoIdentity + Varint(1) + kTimes + Varint(1) + Varint(2) +
           Varint(1) + Varint(0),
       "canonical"},
      {v1 + kNoIdentity + Varint(1) + kTimes + Varint(1) + Varint(2) +
           Varint(2) + std::string("\0\0\0\0\0\0\xf0\x3f", 8),
       "canonical"},
      {v1 + Varint(0) + Varint(0) + Varint(0) + Varint(0) + Varint(0) +
           "trailing",
       "unexpected bytes"},
  };
  for (const Case& c : cases) {
    Result<Profile> r = Profile::Deserialize(Seal(c.body));
    ASSERT_FALSE(r.ok()) << c.expect;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << c.expect;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << r.status().message();
  }
}

TEST(ProfileSerialization, RejectsStructurallyInconsistentCounters) {
  // A valid record whose first event type's bucket count is raised past the
  // tier's limit: hand-edit a real record and reseal it.
  Profile p;
  RecordOk(&p, "x", kMonday);
  const std::string bytes = p.Serialize();
  const std::string body = bytes.substr(4, bytes.size() - 8);
  // Too many event types.
  const size_t types_at = body.rfind(std::string("\x01\x01x", 3));
  ASSERT_NE(types_at, std::string::npos);
  std::string bad = body;
  bad[types_at] = 65;
  Result<Profile> r = Profile::Deserialize(Seal(bad));
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("event type count"), std::string::npos)
      << r.status().message();
  // An empty name.
  bad = body;
  bad[types_at + 1] = 0;
  r = Profile::Deserialize(Seal(bad));
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
}

// ScriptedProfile() as written by format version 1. Future builds must keep
// reading it: add a fixture per new version, never edit this one.
constexpr char kVersion1Fixture[] =
    "545350520106612d3162326307757365722d3432177b22706c616e223a227072"
    "6f222c22616765223a33317d780180d08fa59863c0d9fcc9996380b0f5c99963"
    "000280b0f5c999630001a0d2c50d0401b8f21c0402ace804040704028b9a0104"
    "01040409706167655f7669657780d08fa59863c09fb4a5986302c09fb4a59863"
    "0002e0bbc50d0404040188f21c0801ace80408018b9a01080b6164645f746f5f"
    "6361727480c9bba5986380c9bba598630180c9bba5986301cc5d01e6bbc50d05"
    "cc5d0188f21c05cc5d01ace80405cc5d018b9a0105cc5d117075726368617365"
    "5f636f6d706c65746580b0f5c9996380b0f5c999630180b0f5c9996301a4bc01"
    "01a0d2c50d05a4bc0101b8f21c05a4bc0101b4e80405a4bc01018d9a0105a4bc"
    "01116e6577736c65747465725f7369676e7570c0d9fcc99963c0d9fcc9996301"
    "c0d9fcc999630001a1d2c50d0401b8f21c0401b4e80404018d9a010402057368"
    "6f65737b010a08090f2d4080b0f5c999630462616773000000000000f03fc09f"
    "b4a598630219032f02b10be525";

TEST(ProfileSerialization, ReadsTheCommittedVersion1Fixture) {
  const std::string current = ScriptedProfile().Serialize();
  Result<Profile> r = Profile::Deserialize(FromHex(kVersion1Fixture));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Profile& p = *r;
  const int64_t now = kMonday + 2 * kDay + kHour;
  EXPECT_EQ(p.anonymous_id(), "a-1b2c");
  EXPECT_EQ(p.user_id(), "user-42");
  EXPECT_EQ(p.traits(), Props(R"({"plan": "pro", "age": 31})"));
  EXPECT_EQ(p.utc_offset_minutes(), 60);
  EXPECT_EQ(p.session_count(), 2u);
  EXPECT_EQ(p.first_seen_ms(), kMonday);
  EXPECT_EQ(p.last_seen_ms(), kMonday + 2 * kDay + kMinute);
  EXPECT_EQ(p.Totals("page_view", now).all_time.count, 2u);
  EXPECT_EQ(p.Totals("page_view", now).last_7d.count, 2u);
  EXPECT_EQ(p.Totals("purchase_complete", now).last_1h.count, 1u);
  EXPECT_DOUBLE_EQ(p.Totals("purchase_complete", now).last_24h.sum_value,
                   120.5);
  EXPECT_DOUBLE_EQ(p.Totals("add_to_cart", now).all_time.sum_value, 59.9);
  EXPECT_TRUE(p.HasSeen("newsletter_signup"));
  EXPECT_EQ(p.hour_of_week()[1 * 24 + 1], 3u);  // Monday 01:xx in UTC+1
  std::vector<CategoryAffinity> top = p.TopAffinities(now);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].category, "shoes");
  EXPECT_EQ(top[1].category, "bags");
  // While version 1 is current, this build writes exactly the fixture.
  EXPECT_EQ(ToHex(p.Serialize()), kVersion1Fixture);
  EXPECT_EQ(ToHex(current), kVersion1Fixture) << "format changed: bump "
                                                 "kFormatVersion, keep the "
                                                 "v1 reader and this fixture";
}

}  // namespace
}  // namespace tessera
