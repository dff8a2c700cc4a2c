#include "test_support.h"
#include "tessera/event.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace tessera {
namespace {

constexpr int64_t kNow = 1709296200000;  // 2024-03-01T12:30:00Z


Result<Event> Normalize(std::string_view name, const char* properties_json,
                        const EventLimits& limits = {}) {
  return NormalizeEvent(name, Json(properties_json), Value(), kNow, limits);
}

// The message of a failed normalization ("" if it succeeded, which fails).
std::string ErrorOf(const Result<Event>& result) {
  EXPECT_FALSE(result.ok());
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  return result.status().message();
}

// ---- names ----------------------------------------------------------------

TEST(EventName, ConvertsCommonSpellingsToSnakeCase) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"Add To Cart", "add_to_cart"},
      {"addToCart", "add_to_cart"},
      {"add-to-cart", "add_to_cart"},
      {"AddToCart", "add_to_cart"},
      {"add_to_cart", "add_to_cart"},
      {"  add   to--cart ", "add_to_cart"},
      {"HTMLParser", "html_parser"},
      {"ABTest", "ab_test"},
      {"video2Played", "video2_played"},
      {"checkout.step", "checkout_step"},
      {"PURCHASE_COMPLETE", "purchase_complete"},
      {"_private__event_", "private_event"},
  };
  for (const auto& c : cases) {
    Result<std::string> name = NormalizeEventName(c.in);
    ASSERT_TRUE(name.ok()) << c.in << ": " << name.status().message();
    EXPECT_EQ(*name, c.out) << c.in;
  }
}

TEST(EventName, RejectsEmptyNames) {
  Result<std::string> name = NormalizeEventName("");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.status().message(), "event name \"\": must not be empty");
  name = NormalizeEventName(" -- ");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.status().message(),
            "event name \" -- \": has no letters or digits to form a name");
}

TEST(EventName, RejectsNamesOutsideThePattern) {
  Result<std::string> name = NormalizeEventName("9 Lives");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.status().message(),
            "event name \"9 Lives\": normalizes to \"9_lives\", which must "
            "start with a letter and contain only letters, digits, spaces, "
            "'-', '.' or '_' ([a-z][a-z0-9_]* after normalization)");
  EXPECT_FALSE(NormalizeEventName("add+to cart").ok());
  EXPECT_FALSE(NormalizeEventName("caf\xc3\xa9").ok());
  // Invalid UTF-8 is escaped in the message so the message stays printable.
  name = NormalizeEventName("bad\xff");
  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.status().message().find("\"bad\\xff\""), std::string::npos)
      << name.status().message();
}

TEST(EventName, RejectsNamesLongerThanTheLimit) {
  EventLimits limits;
  limits.max_name_length = 8;
  EXPECT_TRUE(NormalizeEventName("abcdefgh", limits).ok());
  Result<std::string> name = NormalizeEventName("abcdEfgh", limits);
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.status().message(),
            "event name \"abcdEfgh\": is 9 bytes after normalization, longer "
            "than the limit of 8");
}

TEST(EventName, NormalizeEventUsesTheNormalizedName) {
  Result<Event> event = Normalize("Page View", "{}");
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(event->name, "page_view");
  EXPECT_EQ(ErrorOf(Normalize("", "{}")), "event name \"\": must not be empty");
}

// ---- properties: shape and limits ----------------------------------------

TEST(EventProperties, NullMeansAnEmptyObject) {
  Result<Event> event = NormalizeEvent("signup", Value(), Value(), kNow);
  ASSERT_TRUE(event.ok());
  EXPECT_TRUE(event->properties.is_object());
  EXPECT_EQ(event->properties.size(), 0u);
}

TEST(EventProperties, MustBeAnObject) {
  EXPECT_EQ(ErrorOf(Normalize("signup", "[1,2]")),
            "event \"signup\": properties: must be an object, got an array");
  EXPECT_EQ(ErrorOf(Normalize("signup", "\"x\"")),
            "event \"signup\": properties: must be an object, got a string");
}

TEST(EventProperties, KeepsCustomPropertiesAndTheirOrder) {
  Result<Event> event =
      Normalize("signup", R"({"plan":"pro","seats":3,"trial":true,"x":null})");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->properties.Dump(),
            R"({"plan":"pro","seats":3,"trial":true,"x":null})");
}

TEST(EventProperties, LimitsTopLevelKeyCount) {
  EventLimits limits;
  limits.max_properties = 2;
  EXPECT_TRUE(Normalize("e", R"({"a":1,"b":2})", limits).ok());
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"a":1,"b":2,"c":3})", limits)),
            "event \"e\": properties: has 3 keys, more than the limit of 2");
}

TEST(EventProperties, LimitsNestingDepth) {
  // properties.a is depth 1, .a.b depth 2, ... (default limit 4).
  EXPECT_TRUE(Normalize("e", R"({"a":{"b":{"c":[{"d":1}]}}})").ok());
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"a":{"b":{"c":[{"d":[]}]}}})")),
            "event \"e\": properties.a.b.c[0].d: nests deeper than the limit "
            "of 4 levels");
}

TEST(EventProperties, LimitsStringAndKeyBytes) {
  EventLimits limits;
  limits.max_string_bytes = 4;
  EXPECT_TRUE(Normalize("e", R"({"abcd":"wxyz"})", limits).ok());
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"a":["ok","vwxyz"]})", limits)),
            "event \"e\": properties.a[1]: is 5 bytes, longer than the limit "
            "of 4");
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"abcde":1})", limits)),
            "event \"e\": properties: key \"abcde\" is 5 bytes, longer than "
            "the limit of 4");
}

TEST(EventProperties, LimitsSerializedSize) {
  EventLimits limits;
  limits.max_total_bytes = 20;
  EXPECT_TRUE(Normalize("e", R"({"a":"0123456789ab"})", limits).ok());  // 20
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"a":"0123456789abc"})", limits)),
            "event \"e\": properties: is larger than the limit of 20 bytes "
            "when serialized");
  // Separators count too: each part fits but the whole does not.
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"a":1,"b":2,"c":3,"d":4})", limits)),
            "event \"e\": properties: is larger than the limit of 20 bytes "
            "when serialized");
}

TEST(EventProperties, RejectsNonFiniteNumbersFromTheApi) {
  Value props = Value::MakeObject();
  props.set("score", Value(std::nan("")));
  Result<Event> event = NormalizeEvent("e", props, Value(), kNow);
  EXPECT_EQ(ErrorOf(event),
            "event \"e\": properties.score: must be a finite number, got NaN");
  Value nested = Value::MakeObject();
  nested.set("list", Value(Array{Value(1), Value(-HUGE_VAL)}));
  event = NormalizeEvent("e", nested, Value(), kNow);
  EXPECT_EQ(ErrorOf(event),
            "event \"e\": properties.list[1]: must be a finite number, got "
            "-Infinity");
}

TEST(EventProperties, RejectsInvalidUtf8InStringsAndKeys) {
  Value props = Value::MakeObject();
  props.set("title", Value(std::string("ab\xc3")));
  EXPECT_EQ(ErrorOf(NormalizeEvent("e", props, Value(), kNow)),
            "event \"e\": properties.title: must be valid UTF-8");
  Value bad_key = Value::MakeObject();
  bad_key.set(std::string("k\xff"), Value(1));
  EXPECT_EQ(ErrorOf(NormalizeEvent("e", bad_key, Value(), kNow)),
            "event \"e\": properties: key \"k\\xff\" must be valid UTF-8");
}

TEST(EventProperties, RejectsEmptyAndDuplicateKeys) {
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"a":{"":1}})")),
            "event \"e\": properties.a: keys must not be empty");
  Value props = Value::MakeObject();
  props.as_object().push_back(Member{"a", Value(1)});
  props.as_object().push_back(Member{"a", Value(2)});
  EXPECT_EQ(ErrorOf(NormalizeEvent("e", props, Value(), kNow)),
            "event \"e\": properties.a: duplicate key");
}

TEST(EventProperties, QuotesKeysThatAreNotIdentifiersInPaths) {
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"my field":{"x y":{"z":{"w":[[]]}}}})")),
            "event \"e\": properties[\"my field\"][\"x y\"].z.w[0]: nests "
            "deeper than the limit of 4 levels");
}

// ---- categories ------------------------------------------------------------

TEST(EventCategories, TrimsAndLowerCasesLabels) {
  Result<Event> event = Normalize(
      "view_item", R"({"category":"  Shoes ","categories":["Sale","  NEW In"],)"
                   R"("items":[{"category":" Men's Boots\t"}]})");
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(event->properties.Dump(),
            R"({"category":"shoes","categories":["sale","new in"],)"
            R"("items":[{"category":"men's boots"}]})");
}

TEST(EventCategories, LowerCasesAsciiOnly) {
  Result<Event> event = Normalize("e", R"({"category":"ÉTÉ Sale"})");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->properties.find("category")->as_string(), "ÉtÉ sale");
}

TEST(EventCategories, RejectsBlankOrNonStringLabels) {
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"category":"   "})")),
            "event \"e\": properties.category: must not be blank");
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"category":7})")),
            "event \"e\": properties.category: must be a category label (a "
            "string), got a number");
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"categories":"shoes"})")),
            "event \"e\": properties.categories: must be an array of "
            "category labels, got a string");
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"categories":["a",null]})")),
            "event \"e\": properties.categories[1]: must be a category label "
            "(a string), got null");
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"items":[{"category":""}]})")),
            "event \"e\": properties.items[0].category: must not be blank");
}

TEST(EventCategories, OnlyKnownFieldsAreLabels) {
  Result<Event> event = Normalize(
      "e", R"({"subcategory":" Keep Me ","x":{"category":" As Is"}})");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->properties.Dump(),
            R"({"subcategory":" Keep Me ","x":{"category":" As Is"}})");
}

// ---- numeric fields --------------------------------------------------------

TEST(EventNumbers, ConvertsNumericStringsInNumericFields) {
  Result<Event> event = Normalize(
      "checkout",
      R"({"value":"12.50","price":" 3 ","quantity":"2","revenue":"-1e2",)"
      R"("total":7,"items":[{"price":"9.99","quantity":"1","sku":"42"}],)"
      R"("sku":"0042"})");
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(
      event->properties.Dump(),
      R"({"value":12.5,"price":3,"quantity":2,"revenue":-100,"total":7,)"
      R"("items":[{"price":9.99,"quantity":1,"sku":"42"}],"sku":"0042"})");
  EXPECT_DOUBLE_EQ(event->value(), 12.5);
}

TEST(EventNumbers, RejectsNonNumericValuesNamingTheField) {
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"price":"$12"})")),
            "event \"e\": properties.price: must be a number, got \"$12\"");
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"items":[{},{"quantity":"two"}]})")),
            "event \"e\": properties.items[1].quantity: must be a number, "
            "got \"two\"");
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"total":true})")),
            "event \"e\": properties.total: must be a number, got a boolean");
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"value":null})")),
            "event \"e\": properties.value: must be a number, got null");
  for (const char* bad : {"0x10", "Infinity", "NaN", "1,5", "", "1e", "."}) {
    Value props = Value::MakeObject();
    props.set("value", Value(bad));
    EXPECT_FALSE(NormalizeEvent("e", props, Value(), kNow).ok()) << bad;
  }
}

TEST(EventNumbers, RejectsNumericStringsThatOverflow) {
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"value":"1e999"})")),
            "event \"e\": properties.value: must be a finite number, got "
            "\"1e999\"");
}

TEST(EventNumbers, ValueIsZeroWhenAbsent) {
  Result<Event> event = Normalize("e", "{}");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->value(), 0);
}

// ---- dates -----------------------------------------------------------------

// The latest date the reader accepts, as "now", so that these tests see the
// reader alone (dates after now are the next group's subject).
constexpr int64_t kLastReadableMs = 253402300799999;  // 9999-12-31T23:59:59.999Z

int64_t TimestampOf(const Value& timestamp) {
  Result<Event> event =
      NormalizeEvent("e", Value(), timestamp, kLastReadableMs);
  EXPECT_TRUE(event.ok()) << timestamp.Dump() << ": "
                          << event.status().message();
  return event.ok() ? event->timestamp_ms : -1;
}

TEST(EventDates, NullTimestampMeansNow) {
  EXPECT_EQ(NormalizeEvent("e", Value(), Value(), kNow)->timestamp_ms, kNow);
}

TEST(EventDates, ReadsIso8601Forms) {
  EXPECT_EQ(TimestampOf(Value("2024-03-01")), 1709251200000);
  EXPECT_EQ(TimestampOf(Value("2024-03-01T12:30:00Z")), 1709296200000);
  EXPECT_EQ(TimestampOf(Value("2024-03-01T12:30Z")), 1709296200000);
  EXPECT_EQ(TimestampOf(Value("2024-03-01 12:30:00")), 1709296200000);
  EXPECT_EQ(TimestampOf(Value("2024-03-01T12:30:00.250+02:00")), 1709289000250);
  EXPECT_EQ(TimestampOf(Value("2024-03-01T12:30:00.2509999+0200")),
            1709289000250);
  EXPECT_EQ(TimestampOf(Value("2024-03-01T12:30:00.5-05:30")), 1709316000500);
  EXPECT_EQ(TimestampOf(Value("2024-02-29")), 1709164800000);
  EXPECT_EQ(TimestampOf(Value(" 2024-03-01t12:30:00z ")), 1709296200000);
}

TEST(EventDates, ReadsEpochSecondsAndMilliseconds) {
  EXPECT_EQ(TimestampOf(Value(1709296200)), 1709296200000);       // seconds
  EXPECT_EQ(TimestampOf(Value(1709296200.5)), 1709296200500);     // seconds
  EXPECT_EQ(TimestampOf(Value(1709296200123.0)), 1709296200123);  // ms
  EXPECT_EQ(TimestampOf(Value("1709296200")), 1709296200000);
  EXPECT_EQ(TimestampOf(Value(99999999999.0)), 99999999999000);  // < 1e11: s
  EXPECT_EQ(TimestampOf(Value(100000000000.0)), 100000000000);   // ms
}

TEST(EventDates, RejectsUnparseableTimestamps) {
  const char* expected =
      "event \"e\": timestamp: must be an ISO-8601 date (like "
      "\"2024-03-01T12:30:00Z\") or epoch seconds/ms, got ";
  auto error = [](const Value& ts) {
    return ErrorOf(NormalizeEvent("e", Value(), ts, kNow));
  };
  EXPECT_EQ(error(Value("yesterday")), std::string(expected) + "\"yesterday\"");
  EXPECT_EQ(error(Value("2024-02-30")),
            std::string(expected) + "\"2024-02-30\"");
  EXPECT_EQ(error(Value(true)), std::string(expected) + "a boolean");
  for (const char* bad :
       {"2023-02-29", "2024-13-01", "2024-03-01T24:00:00Z", "2024-03-01T12:60Z",
        "2024-03-01T12:30:61Z", "2024-03-01T12:30:00+2",
        "2024-03-01T12:30:00.Z", "2024-3-1", "2024-03-01T", "1.2.3",
        "2024-03-01T12:30:00Zjunk", "2024-03-01T12:30:00+25:00"}) {
    EXPECT_FALSE(NormalizeEvent("e", Value(), Value(bad), kNow).ok()) << bad;
  }
}

TEST(EventDates, RejectsDatesOutsideTheSupportedRange) {
  const std::string range =
      "event \"e\": timestamp: must be a date between 1973-03-03T09:46:40Z "
      "and 9999-12-31T23:59:59Z, got ";
  EXPECT_EQ(ErrorOf(NormalizeEvent("e", Value(), Value(0), kNow)), range + "0");
  EXPECT_EQ(ErrorOf(NormalizeEvent("e", Value(), Value("1970-01-01"), kNow)),
            range + "\"1970-01-01\"");
  EXPECT_EQ(ErrorOf(NormalizeEvent("e", Value(), Value(-5), kNow)),
            range + "-5");
  EXPECT_EQ(ErrorOf(NormalizeEvent("e", Value(), Value(1e300), kNow)),
            range + "1e+300");
  Value inf(std::numeric_limits<double>::infinity());
  EXPECT_EQ(ErrorOf(NormalizeEvent("e", Value(), inf, kNow)),
            range + "Infinity");
  EXPECT_EQ(TimestampOf(Value("1973-03-03T09:46:40Z")), 100000000000);
  EXPECT_EQ(TimestampOf(Value("9999-12-31T23:59:59.999Z")), 253402300799999);
}

TEST(EventDates, ATimestampAfterNowIsNowWithinADayAndRefusedBeyond) {
  constexpr int64_t kMinute = 60 * 1000;
  constexpr int64_t kDay = 24 * 60 * kMinute;
  auto at = [](int64_t ms) {
    return NormalizeEvent("e", Value(), Value(static_cast<double>(ms)), kNow);
  };
  EXPECT_EQ(at(kNow - kDay)->timestamp_ms, kNow - kDay);  // the past as given
  EXPECT_EQ(at(kNow + 1)->timestamp_ms, kNow);
  EXPECT_EQ(at(kNow + kDay)->timestamp_ms, kNow);
  EXPECT_EQ(ErrorOf(at(kNow + kDay + 1)),
            "event \"e\": timestamp: is 1440 minutes after the current time; "
            "at most 1440 minutes ahead is taken as now");
  EXPECT_EQ(ErrorOf(at(kNow + 365 * kDay)),
            "event \"e\": timestamp: is 525600 minutes after the current "
            "time; at most 1440 minutes ahead is taken as now");
  EventLimits strict;
  strict.max_future_ms = 5 * kMinute;
  const Value six_minutes_ahead(static_cast<double>(kNow + 6 * kMinute));
  EXPECT_FALSE(NormalizeEvent("e", Value(), six_minutes_ahead, kNow, strict).ok());
  EXPECT_TRUE(NormalizeEvent("e", Value(), six_minutes_ahead, kNow).ok());
}

TEST(EventDates, ConvertsPropertiesNamedAtOrDate) {
  Result<Event> event = Normalize(
      "signup",
      R"({"created_at":"2024-03-01","trial_end_date":1709296200,)"
      R"("x":{"shipped_at":"2024-03-01T12:30:00Z"},"format":"2024-03-01",)"
      R"("items":[{"added_at":"1709296200000"}]})");
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(event->properties.Dump(),
            R"({"created_at":1709251200000,"trial_end_date":1709296200000,)"
            R"("x":{"shipped_at":1709296200000},"format":"2024-03-01",)"
            R"("items":[{"added_at":1709296200000}]})");
}

TEST(EventDates, RejectsUnparseablePropertyDatesNamingTheField) {
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"x":{"updated_at":"soon"}})")),
            "event \"e\": properties.x.updated_at: must be an ISO-8601 date "
            "(like \"2024-03-01T12:30:00Z\") or epoch seconds/ms, got "
            "\"soon\"");
  EXPECT_EQ(ErrorOf(Normalize("e", R"({"birth_date":"1965-04-02"})")),
            "event \"e\": properties.birth_date: must be a date between "
            "1973-03-03T09:46:40Z and 9999-12-31T23:59:59Z, got "
            "\"1965-04-02\"");
}

// ---- standard events -------------------------------------------------------

TEST(EventPurchase, NormalizesAValidPurchase) {
  Result<Event> event = NormalizeEvent(
      "Purchase Complete",
      Json(R"({"value":"59.90","currency":" eur ","order_id":"A1",)"
           R"("items":[{"sku":"s1","price":"29.95","quantity":2,)"
           R"("category":"Shoes"}]})"),
      Value("2024-03-01T12:30:00Z"), kNow);
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(event->name, "purchase_complete");
  EXPECT_EQ(event->timestamp_ms, 1709296200000);
  EXPECT_EQ(event->properties.Dump(),
            R"({"value":59.9,"currency":"EUR","order_id":"A1",)"
            R"("items":[{"sku":"s1","price":29.95,"quantity":2,)"
            R"("category":"shoes"}]})");
  EXPECT_DOUBLE_EQ(event->value(), 59.9);
}

TEST(EventPurchase, RequiresValueAndCurrency) {
  EXPECT_EQ(ErrorOf(Normalize("purchase_complete", R"({"currency":"USD"})")),
            "event \"purchase_complete\": properties.value: is required for "
            "purchase_complete");
  EXPECT_EQ(ErrorOf(Normalize("purchase_complete", R"({"value":5})")),
            "event \"purchase_complete\": properties.currency: is required "
            "for purchase_complete");
  EXPECT_EQ(ErrorOf(Normalize("purchase_complete", "null")),
            "event \"purchase_complete\": properties.value: is required for "
            "purchase_complete");
}

TEST(EventPurchase, RejectsBadCurrencyCodes) {
  EXPECT_EQ(ErrorOf(Normalize("purchase_complete",
                              R"({"value":5,"currency":"dollars"})")),
            "event \"purchase_complete\": properties.currency: must be a "
            "3-letter ISO 4217 code, got \"dollars\"");
  EXPECT_EQ(
      ErrorOf(Normalize("purchase_complete", R"({"value":5,"currency":840})")),
      "event \"purchase_complete\": properties.currency: must be a 3-letter "
      "ISO 4217 code, got 840");
  EXPECT_FALSE(
      Normalize("purchase_complete", R"({"value":5,"currency":"U$D"})").ok());
  EXPECT_FALSE(
      Normalize("purchase_complete", R"({"value":5,"currency":"ÜSD"})").ok());
}

TEST(EventPurchase, RejectsNegativeOrNonFiniteValue) {
  EXPECT_EQ(ErrorOf(Normalize("purchase_complete",
                              R"({"value":-1,"currency":"USD"})")),
            "event \"purchase_complete\": properties.value: must not be "
            "negative, got -1");
  EXPECT_TRUE(
      Normalize("purchase_complete", R"({"value":0,"currency":"USD"})").ok());
  Value props = Json(R"({"currency":"USD"})");
  props.set("value", Value(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(ErrorOf(NormalizeEvent("purchase_complete", props, Value(), kNow)),
            "event \"purchase_complete\": properties.value: must be a finite "
            "number, got Infinity");
}

TEST(EventPurchase, ItemsMustBeAnArrayOfObjects) {
  EXPECT_EQ(ErrorOf(Normalize("purchase_complete",
                              R"({"value":1,"currency":"USD","items":{}})")),
            "event \"purchase_complete\": properties.items: must be an array "
            "of objects, got an object");
  EXPECT_EQ(
      ErrorOf(Normalize("purchase_complete",
                        R"({"value":1,"currency":"USD","items":[{},"sku"]})")),
      "event \"purchase_complete\": properties.items[1]: must be an object, "
      "got a string");
  EXPECT_EQ(ErrorOf(Normalize(
                "purchase_complete",
                R"({"value":1,"currency":"USD","items":[{"price":-2}]})")),
            "event \"purchase_complete\": properties.items[0].price: must not "
            "be negative, got -2");
}

TEST(EventCart, AcceptsItemsValueAndQuantity) {
  Result<Event> event = Normalize(
      "addToCart", R"({"items":[{"sku":"a","quantity":"3"}],"value":"30",)"
                   R"("quantity":3,"currency":"usd","category":"Toys"})");
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(event->name, "add_to_cart");
  EXPECT_EQ(event->properties.Dump(),
            R"({"items":[{"sku":"a","quantity":3}],"value":30,"quantity":3,)"
            R"("currency":"USD","category":"toys"})");
  EXPECT_TRUE(Normalize("remove_from_cart", "{}").ok());
}

TEST(EventCart, RejectsNegativeQuantitiesAndBadItems) {
  EXPECT_EQ(ErrorOf(Normalize("remove_from_cart", R"({"quantity":-1})")),
            "event \"remove_from_cart\": properties.quantity: must not be "
            "negative, got -1");
  EXPECT_EQ(ErrorOf(Normalize("add_to_cart", R"({"items":[3]})")),
            "event \"add_to_cart\": properties.items[0]: must be an object, "
            "got a number");
  EXPECT_EQ(ErrorOf(Normalize("add_to_cart", R"({"currency":"euro"})")),
            "event \"add_to_cart\": properties.currency: must be a 3-letter "
            "ISO 4217 code, got \"euro\"");
}

TEST(EventPageView, UrlFieldsMustBeStrings) {
  Result<Event> event = Normalize(
      "page_view", R"({"url":"https://shop.example/p/1","path":"/p/1",)"
                   R"("title":"Boots","referrer":"","category":"Boots"})");
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(event->properties.find("category")->as_string(), "boots");
  EXPECT_EQ(ErrorOf(Normalize("page_view", R"({"title":["a"]})")),
            "event \"page_view\": properties.title: must be a string, got an "
            "array");
  EXPECT_EQ(ErrorOf(Normalize("page_view", R"({"referrer":null})")),
            "event \"page_view\": properties.referrer: must be a string, got "
            "null");
}

TEST(EventVideo, ChecksIdDurationAndPercent) {
  Result<Event> event =
      Normalize("Video Played",
                R"({"video_id":"intro","duration":"93.5","percent":"50"})");
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(event->properties.Dump(),
            R"({"video_id":"intro","duration":93.5,"percent":50})");
  EXPECT_EQ(ErrorOf(Normalize("video_played", R"({"video_id":""})")),
            "event \"video_played\": properties.video_id: must be a non-empty "
            "string, got \"\"");
  EXPECT_EQ(ErrorOf(Normalize("video_played", R"({"video_id":12})")),
            "event \"video_played\": properties.video_id: must be a non-empty "
            "string, got 12");
  EXPECT_EQ(ErrorOf(Normalize("video_played", R"({"percent":101})")),
            "event \"video_played\": properties.percent: must be between 0 "
            "and 100, got 101");
  EXPECT_EQ(ErrorOf(Normalize("video_played", R"({"duration":"long"})")),
            "event \"video_played\": properties.duration: must be a number, "
            "got \"long\"");
  EXPECT_EQ(ErrorOf(Normalize("video_played", R"({"duration":-3})")),
            "event \"video_played\": properties.duration: must not be "
            "negative, got -3");
}

TEST(EventCustom, AcceptsAnythingWithinLimits) {
  // Fields that are checked on standard events pass freely on custom ones.
  Result<Event> event = Normalize("newsletter_signup",
                                  R"({"items":"all","title":3,"percent":500,)"
                                  R"("currency":"points","video_id":""})");
  ASSERT_TRUE(event.ok()) << event.status().message();
  EXPECT_EQ(event->properties.Dump(),
            R"({"items":"all","title":3,"percent":500,"currency":"points",)"
            R"("video_id":""})");
  EXPECT_TRUE(Normalize("form_submit", R"({"form_id":"contact"})").ok());
}

// ---- idempotence -----------------------------------------------------------

TEST(EventNormalization, IsIdempotent) {
  Result<Event> first = NormalizeEvent(
      "Purchase Complete",
      Json(R"({"value":" 10 ","currency":"eur","category":" A ",)"
           R"("categories":[" B"],"placed_at":"2024-03-01T12:30:00+01:00",)"
           R"("items":[{"price":"5","quantity":"2","category":"C "}],)"
           R"("meta":{"x_date":1709296200,"list":[1,"two",null]}})"),
      Value("2024-03-01"), kNow);
  ASSERT_TRUE(first.ok()) << first.status().message();
  Result<Event> second = NormalizeEvent(first->name, first->properties,
                                        Value(first->timestamp_ms), kNow + 1);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->name, first->name);
  EXPECT_EQ(second->timestamp_ms, first->timestamp_ms);
  EXPECT_EQ(second->properties.Dump(), first->properties.Dump());
}

}  // namespace
}  // namespace tessera
