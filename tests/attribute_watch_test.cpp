// AttributeWatch (core/src/attribute_watch.h) on its own: what its refresh
// from the profile writes, and when it declines so that the caller derives
// the attributes afresh. The engine-level differential test
// (incremental_decisions_test.cpp) compares whole decisions; this one pins
// the watch's own contract, including the defensive cases.
#include "attribute_watch.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "tessera/attributes.h"
#include "test_support.h"

namespace tessera {
namespace {

constexpr int64_t kStart = 1'764'000'000'000;
constexpr int64_t kMinute = 60 * 1000;

void Record(Profile* profile, const char* name, int64_t ts,
            const char* properties = "{}") {
  Event event;
  event.name = name;
  event.timestamp_ms = ts;
  event.properties = Json(properties);
  ASSERT_TRUE(profile->Record(event, 0).ok());
}

double NumberAt(const Value& attributes, const char* path) {
  const Value* value = attributes.find_path(path);
  return value != nullptr && value->is_number() ? value->as_number() : -1;
}

TEST(AttributeWatchTest, RefreshFromProfileWritesWhatChangedAndStampsIt) {
  Profile profile;
  Context context;
  Record(&profile, "page_view", kStart, R"({"category": "shoes"})");
  Value attributes = DeriveAttributes(profile, context, kStart);
  AttributeWatch watch;
  const uint32_t views = watch.Add("event.page_view.count_1h");
  const uint32_t carts = watch.Add("event.add_to_cart.count_1h");
  const uint32_t share = watch.Add("affinity.shoes");
  const uint32_t hour = watch.Add("context.hour");
  const uint32_t traits = watch.Add("traits.plan");
  ASSERT_TRUE(watch.profile_refreshable());
  watch.Refresh(attributes, profile, 1);

  Record(&profile, "page_view", kStart + kMinute, R"({"category": "shoes"})");
  ASSERT_TRUE(
      watch.RefreshFromProfile(profile, context, kStart + kMinute, 2,
                               &attributes));
  EXPECT_EQ(NumberAt(attributes, "event.page_view.count_1h"), 2);
  EXPECT_TRUE(watch.ChangedAfter(views, 1));
  EXPECT_FALSE(watch.ChangedAfter(carts, 1));   // still zero
  EXPECT_FALSE(watch.ChangedAfter(share, 1));   // still the only category
  EXPECT_FALSE(watch.ChangedAfter(hour, 1));    // same hour
  EXPECT_FALSE(watch.ChangedAfter(traits, 1));  // only identify moves it
  // What it wrote is what a derivation gives at that time; members no path
  // reads are left as they were.
  const Value derived = DeriveAttributes(profile, context, kStart + kMinute);
  EXPECT_EQ(NumberAt(attributes, "event.page_view.count_1h"),
            NumberAt(derived, "event.page_view.count_1h"));
  EXPECT_EQ(NumberAt(attributes, "event.page_view.count_24h"), 1);
  EXPECT_EQ(NumberAt(derived, "event.page_view.count_24h"), 2);
}

TEST(AttributeWatchTest, DeclinesWhenTheShapeWouldChange) {
  Profile profile;
  Context context;
  Record(&profile, "page_view", kStart);
  Value attributes = DeriveAttributes(profile, context, kStart);
  AttributeWatch watch;
  watch.Add("event.video.count_all");  // a custom type not seen yet
  watch.Refresh(attributes, profile, 1);
  ASSERT_TRUE(watch.RefreshFromProfile(profile, context, kStart + 1, 2,
                                       &attributes));
  Record(&profile, "video", kStart + 2);
  EXPECT_FALSE(watch.RefreshFromProfile(profile, context, kStart + 2, 3,
                                        &attributes));
  // And keeps declining until a full Refresh.
  EXPECT_FALSE(watch.RefreshFromProfile(profile, context, kStart + 3, 3,
                                        &attributes));
}

TEST(AttributeWatchTest, DeclinesForWholeSectionsAndBeforeAFullRefresh) {
  Profile profile;
  Context context;
  Record(&profile, "page_view", kStart);
  Value attributes = DeriveAttributes(profile, context, kStart);
  AttributeWatch whole;
  whole.Add("event.page_view");
  EXPECT_FALSE(whole.profile_refreshable());
  whole.Refresh(attributes, profile, 1);
  EXPECT_FALSE(whole.RefreshFromProfile(profile, context, kStart + 1, 2,
                                        &attributes));

  AttributeWatch fresh;
  fresh.Add("event.page_view.count_all");
  EXPECT_FALSE(fresh.RefreshFromProfile(profile, context, kStart, 1,
                                        &attributes));
  fresh.Refresh(attributes, profile, 1);
  fresh.Unprime();
  EXPECT_FALSE(fresh.RefreshFromProfile(profile, context, kStart, 2,
                                        &attributes));
}

// Attributes that are not the ones refreshed (a member gone) make it
// decline instead of writing out of place.
TEST(AttributeWatchTest, DeclinesWhenAValueHasNoPlace) {
  Profile profile;
  Context context;
  Record(&profile, "page_view", kStart);
  Value attributes = DeriveAttributes(profile, context, kStart);
  AttributeWatch watch;
  watch.Add("event.page_view.count_1h");
  watch.Refresh(attributes, profile, 1);
  Record(&profile, "page_view", kStart + kMinute);
  Value stripped = attributes;
  Value* events = stripped.find("event");
  ASSERT_NE(events, nullptr);
  events->erase("page_view");
  EXPECT_FALSE(watch.RefreshFromProfile(profile, context, kStart + kMinute,
                                        2, &stripped));
  EXPECT_FALSE(watch.RefreshFromProfile(profile, context, kStart + kMinute,
                                        2, &attributes));  // unprimed now
}

}  // namespace
}  // namespace tessera
