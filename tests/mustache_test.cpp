// Behaviour of the Mustache renderer beyond the official spec: escaping, how
// values print, errors with positions, and the safety bounds.
#include "test_support.h"
#include "tessera/mustache.h"

#include <gtest/gtest.h>

#include <string>

#include "tessera/json.h"

namespace tessera {
namespace {


std::string RenderOk(const char* text, const Value& view,
                     const Value& partials = Value()) {
  Result<std::string> rendered = RenderMustache(text, view, partials);
  EXPECT_TRUE(rendered.ok()) << rendered.status().ToString();
  return rendered.ok() ? *rendered : "<error>";
}

Status ParseError(std::string_view text, const MustacheOptions& options = {}) {
  Result<MustacheTemplate> parsed = MustacheTemplate::Parse(text, options);
  EXPECT_FALSE(parsed.ok()) << "parsed: " << text;
  return parsed.ok() ? Status::Ok() : parsed.status();
}

// --- Escaping and printing ---------------------------------------------------

TEST(MustacheEscaping, EscapesAmpersandAnglesAndBothQuotes) {
  Value view = Json(R"({"v": "<a href='x' title=\"y\">&</a>"})");
  EXPECT_EQ(RenderOk("{{v}}", view),
            "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;");
}

TEST(MustacheEscaping, TripleMustacheAndAmpersandWriteRawText) {
  Value view = Json(R"({"v": "<b>&'\"</b>"})");
  EXPECT_EQ(RenderOk("{{{v}}}|{{&v}}", view), "<b>&'\"</b>|<b>&'\"</b>");
}

TEST(MustacheEscaping, EscapesPrintedArraysToo) {
  Value view = Json(R"({"v": ["<", ">"]})");
  EXPECT_EQ(RenderOk("{{v}}", view), "&lt;,&gt;");
}

TEST(MustacheEscaping, InvalidUtf8PassesThroughUnchanged) {
  const std::string bytes = "\xff\xfe{{v}}\xc3";
  Value view;
  view.set("v", Value(std::string("\x80\xc0")));
  Result<std::string> rendered = RenderMustache(bytes, view);
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  EXPECT_EQ(*rendered, "\xff\xfe\x80\xc0\xc3");
}

TEST(MustachePrinting, NumbersPrintAsJavaScriptDoes) {
  Value view = Json(R"({"a": 1, "b": 0.1, "c": 1e21, "d": -2.5, "e": 1.5e-7})");
  EXPECT_EQ(RenderOk("{{a}} {{b}} {{c}} {{d}} {{e}}", view),
            "1 0.1 1e+21 -2.5 1.5e-7");
}

TEST(MustachePrinting, WholeNumbersPrintAsJavaScriptDoes) {
  Value view = Json(R"({"a": -0, "b": -42, "c": 9007199254740991,
                        "d": 9007199254740992, "e": 1e20, "f": 120})");
  EXPECT_EQ(
      RenderOk("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}", view),
      "0 -42 9007199254740991 9007199254740992 100000000000000000000 120");
}

TEST(MustachePrinting, OtherValuesPrintAsJavaScriptStringDoes) {
  Value view =
      Json(R"({"t": true, "f": false, "n": null, "a": [1, "x", null, [2, 3]],
               "o": {"k": 1}})");
  EXPECT_EQ(RenderOk("{{t}}|{{f}}|{{n}}|{{a}}|{{o}}|{{missing}}", view),
            "true|false||1,x,,2,3|[object Object]|");
}

// --- Names and sections ------------------------------------------------------

TEST(MustacheSections, UseJavaScriptTruthiness) {
  Value view = Json(R"({"zero": 0, "empty": "", "list": [], "obj": {},
                        "one": 1, "text": "x"})");
  EXPECT_EQ(RenderOk("{{#zero}}Z{{/zero}}{{#empty}}E{{/empty}}"
                     "{{#list}}L{{/list}}{{#obj}}O{{/obj}}{{#one}}1{{/one}}"
                     "{{#text}}T{{/text}}",
                     view),
            "O1T");
  EXPECT_EQ(RenderOk("{{^zero}}z{{/zero}}{{^empty}}e{{/empty}}"
                     "{{^list}}l{{/list}}{{^obj}}o{{/obj}}",
                     view),
            "zel");
}

TEST(MustacheSections, IterateListsPushingEachElement) {
  Value view = Json(
      R"({"title": "T", "items": [{"name": "a"}, {"name": "b", "title": "U"}]})");
  EXPECT_EQ(RenderOk("{{#items}}{{name}}:{{title}};{{/items}}", view),
            "a:T;b:U;");
}

TEST(MustacheNames, DottedNamesIndexIntoArrays) {
  Value view = Json(R"({"items": [{"title": "first"}, {"title": "second"}]})");
  EXPECT_EQ(RenderOk("{{items.1.title}}|{{items.0.title}}|{{items.2.title}}|"
                     "{{items.x}}",
                     view),
            "second|first||");
}

TEST(MustacheNames, NumericNamesIndexTheListOnTopOfTheStack) {
  Value view = Json(R"({"rows": [["a", "b"], ["c", "d"]]})");
  EXPECT_EQ(RenderOk("{{#rows}}{{1}}{{/rows}}", view), "bd");
}

// --- Parsed templates --------------------------------------------------------

TEST(MustacheTemplateReuse, OneParsedTemplateRendersManyViews) {
  Result<MustacheTemplate> parsed =
      MustacheTemplate::Parse("Hi {{name}}{{#vip}}, welcome back{{/vip}}!");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed->Render(Json(R"({"name": "Ann", "vip": true})")),
            "Hi Ann, welcome back!");
  EXPECT_EQ(*parsed->Render(Json(R"({"name": "Bo"})")), "Hi Bo!");
  EXPECT_EQ(*parsed->Render(Json(R"({"name": "Ann", "vip": true})")),
            "Hi Ann, welcome back!");
}

TEST(MustacheTemplateReuse, CopiesAndMovesRenderTheSame) {
  Result<MustacheTemplate> parsed = MustacheTemplate::Parse("[{{x}}]");
  ASSERT_TRUE(parsed.ok());
  MustacheTemplate copy = *parsed;
  MustacheTemplate moved = std::move(*parsed);
  Value view = Json(R"({"x": "y"})");
  EXPECT_EQ(*copy.Render(view), "[y]");
  EXPECT_EQ(*moved.Render(view), "[y]");
}

TEST(MustacheTemplateReuse, DefaultTemplateRendersNothing) {
  MustacheTemplate empty;
  Result<std::string> rendered = empty.Render(Json(R"({"x": 1})"));
  ASSERT_TRUE(rendered.ok());
  EXPECT_EQ(*rendered, "");
}

// --- Partials ----------------------------------------------------------------

TEST(MustachePartials, NestedStandalonePartialsAccumulateIndentation) {
  Value partials = Json(R"({"outer": "<ul>\n  {{>inner}}\n</ul>\n",
                            "inner": "<li>{{x}}</li>\n<li>\n{{x}}</li>\n"})");
  Value view = Json(R"({"x": "1\n2"})");
  EXPECT_EQ(RenderOk("<div>\n  {{>outer}}\n</div>\n", view, partials),
            "<div>\n  <ul>\n    <li>1\n2</li>\n    <li>\n    1\n2</li>\n"
            "  </ul>\n</div>\n");
}

TEST(MustachePartials, StandaloneLinesInsideAnIndentedPartialVanish) {
  Value partials = Json(R"({"p": "{{#on}}\nyes\n{{/on}}\n\nend\n"})");
  // Empty lines get no indentation, as in mustache.js.
  EXPECT_EQ(RenderOk("  {{>p}}\n", Json(R"({"on": true})"), partials),
            "  yes\n\n  end\n");
}

TEST(MustachePartials, PartialParseErrorsNameThePartial) {
  Value partials = Json(R"({"card": "ok\n {{#a}}"})");
  Result<std::string> rendered = RenderMustache("{{>card}}", Value(), partials);
  ASSERT_FALSE(rendered.ok());
  EXPECT_EQ(rendered.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      rendered.status().message(),
      "partial \"card\": line 2, column 2: section \"a\" is never closed");
}

TEST(MustachePartials, PartialsMustBeAnObjectOfText) {
  Result<std::string> not_object =
      RenderMustache("{{>p}}", Value(), Json(R"(["p"])"));
  ASSERT_FALSE(not_object.ok());
  EXPECT_EQ(not_object.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(not_object.status().message().find("partials must be an object"),
            std::string::npos);

  Result<std::string> not_text =
      RenderMustache("{{>p}}", Value(), Json(R"({"p": 3})"));
  ASSERT_FALSE(not_text.ok());
  EXPECT_EQ(not_text.status().message(), "partial \"p\" is not template text");
}

TEST(MustachePartials, MissingOrNullPartialsRenderNothing) {
  EXPECT_EQ(RenderOk("[{{>a}}{{>b}}]", Value(), Json(R"({"b": null})")), "[]");
}

// --- Parse errors ------------------------------------------------------------

TEST(MustacheParseErrors, UnclosedSectionNamesItsOpeningTag) {
  Status status = ParseError("<ul>\n\n  \n    {{#items}}\n<li>{{.}}</li>\n");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "line 4, column 5: section \"items\" is never closed");
}

TEST(MustacheParseErrors, UnclosedTagNamesItsPosition) {
  Status status = ParseError("ab\ncd {{name");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "line 2, column 4: tag \"{{\" is never closed (no \"}}\")");
}

TEST(MustacheParseErrors, TripleMustacheNeedsItsThirdBrace) {
  Status status = ParseError("{{{name}}");
  EXPECT_EQ(status.message(),
            "line 1, column 1: tag \"{{\" is never closed (no \"}}}\")");
}

TEST(MustacheParseErrors, MismatchedEndTagNamesBothSections) {
  Status status = ParseError("{{#a}}\n{{#b}}\n{{/a}}");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "line 3, column 1: closing tag \"a\" does not match section \"b\" "
            "opened at line 2, column 1");
}

TEST(MustacheParseErrors, EndTagWithoutSection) {
  Status status = ParseError("x {{/a}}");
  EXPECT_EQ(status.message(),
            "line 1, column 3: closing tag \"a\" has no open section");
}

TEST(MustacheParseErrors, BadSetDelimiterTags) {
  EXPECT_EQ(ParseError("{{=<%=}}").message(),
            "line 1, column 1: set-delimiter tag needs two delimiters "
            "separated by whitespace, like {{=<% %>=}}");
  EXPECT_EQ(ParseError("{{=<% %> x=}}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError("{{=a= b=}}").message(),
            "line 1, column 1: delimiters may not contain \"=\"");
  // The new delimiters apply right after the tag.
  EXPECT_EQ(ParseError("{{=<% %>=}}\n<%name").message(),
            "line 2, column 1: tag \"<%\" is never closed (no \"%>\")");
}

TEST(MustacheParseErrors, BadNames) {
  EXPECT_EQ(ParseError("{{ }}").message(), "line 1, column 1: tag has no name");
  EXPECT_EQ(ParseError("{{a b}}").message(),
            "line 1, column 1: tag name contains whitespace");
  EXPECT_EQ(
      ParseError("{{#a..b}}{{/a..b}}").message(),
      "line 1, column 1: section tag name has an empty part between dots");
  EXPECT_EQ(ParseError("{{>}}").message(),
            "line 1, column 1: partial tag has no name");
}

TEST(MustacheParseErrors, TemplateLongerThanTheLimit) {
  MustacheOptions options;
  options.max_template_bytes = 8;
  Status status = ParseError("123456789", options);
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange);
  EXPECT_NE(status.message().find("max_template_bytes (8)"), std::string::npos);
  EXPECT_TRUE(MustacheTemplate::Parse("12345678", options).ok());
}

// --- Render bounds -----------------------------------------------------------

TEST(MustacheBounds, SelfRecursivePartialIsOutOfRange) {
  Value partials = Json(R"({"loop": "x{{>loop}}"})");
  Result<std::string> rendered = RenderMustache("{{>loop}}", Value(), partials);
  ASSERT_FALSE(rendered.ok());
  EXPECT_EQ(rendered.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(rendered.status().message(),
            "partial \"loop\" nests deeper than max_depth (32)");
}

TEST(MustacheBounds, RecursionThatEndsWithTheDataIsFine) {
  Value partials =
      Json(R"j({"node": "{{name}}({{#kids}}{{>node}}{{/kids}})"})j");
  // A leaf needs its own (empty) "kids": otherwise the name resolves to its
  // parent's list and the recursion never ends.
  Value view = Json(R"({"name": "a", "kids": [{"name": "b", "kids": []},
                                                {"name": "c", "kids": []}]})");
  EXPECT_EQ(RenderOk("{{>node}}", view, partials), "a(b()c())");
}

TEST(MustacheBounds, SectionsNestedPastMaxDepthAreOutOfRange) {
  MustacheOptions options;
  options.max_depth = 3;
  Value view = Json(R"({"a": true})");
  Result<MustacheTemplate> three =
      MustacheTemplate::Parse("{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}", options);
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(*three->Render(view), "x");

  Result<MustacheTemplate> four = MustacheTemplate::Parse(
      "{{#a}}{{#a}}{{#a}}{{^b}}x{{/b}}{{/a}}{{/a}}{{/a}}", options);
  ASSERT_TRUE(four.ok());
  Result<std::string> rendered = four->Render(view);
  ASSERT_FALSE(rendered.ok());
  EXPECT_EQ(rendered.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(rendered.status().message(),
            "section \"b\" nests deeper than max_depth (3)");
}

TEST(MustacheBounds, OutputPastTheLimitIsOutOfRange) {
  MustacheOptions options;
  options.max_output_bytes = 100;
  Value view;
  for (int i = 0; i < 20; ++i) view.push_back(Value(i));
  Result<MustacheTemplate> parsed =
      MustacheTemplate::Parse("{{#.}}<p>{{.}}</p>{{/.}}", options);
  ASSERT_TRUE(parsed.ok());
  Result<std::string> rendered = parsed->Render(view);
  ASSERT_FALSE(rendered.ok());
  EXPECT_EQ(rendered.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(rendered.status().message(),
            "output is longer than max_output_bytes (100)");

  options.max_output_bytes = 1000;
  Result<MustacheTemplate> roomy =
      MustacheTemplate::Parse("{{#.}}<p>{{.}}</p>{{/.}}", options);
  ASSERT_TRUE(roomy.ok());
  EXPECT_TRUE(roomy->Render(view).ok());
}

TEST(MustacheBounds, ExponentialRecursionStopsAtTheStepLimit) {
  // Each level of the view doubles the work without writing anything.
  MustacheOptions options;
  options.max_render_steps = 10000;
  Value view = Value(false);
  for (int i = 0; i < 15; ++i) {
    Value parent;
    parent.set("a", view);
    view = parent;
  }
  Value partials = Json(R"({"p": "{{#a}}{{>p}}{{>p}}{{/a}}"})");
  Result<std::string> rendered =
      RenderMustache("{{>p}}", view, partials, options);
  ASSERT_FALSE(rendered.ok());
  EXPECT_EQ(rendered.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(rendered.status().message(),
            "rendering took more than max_render_steps (10000) steps");

  options.max_render_steps = 1000000;
  EXPECT_TRUE(RenderMustache("{{>p}}", view, partials, options).ok());
}

TEST(MustacheBounds, NestedLoopsOverEmptyBodiesCountSteps) {
  MustacheOptions options;
  options.max_render_steps = 1000;
  Value view;
  for (int i = 0; i < 20; ++i) view.push_back(Value(i));
  view = Json(("{\"l\": " + view.Dump() + "}").c_str());
  Result<MustacheTemplate> parsed =
      MustacheTemplate::Parse("{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}", options);
  ASSERT_TRUE(parsed.ok());
  Result<std::string> rendered = parsed->Render(view);
  ASSERT_FALSE(rendered.ok());
  EXPECT_EQ(rendered.status().code(), StatusCode::kOutOfRange);
}

TEST(MustacheStacked, TopShadowsBaseAndMissingNamesFallThrough) {
  Result<MustacheTemplate> t = MustacheTemplate::Parse(
      "{{greeting}}, {{name}} ({{user.tier}}){{#items}} {{.}}{{/items}}");
  ASSERT_TRUE(t.ok());
  Result<Value> base =
      ParseJson(R"({"greeting":"Hi","name":"Ada","user":{"tier":"gold"},
                    "items":[1,2]})");
  Result<Value> top = ParseJson(R"({"greeting":"Welcome","user":{}})");
  Result<std::string> html = t->RenderStacked(*base, *top);
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  // "user" resolves in the top layer, as a merge would replace it there.
  EXPECT_EQ(*html, "Welcome, Ada () 1 2");
  EXPECT_EQ(*t->RenderStacked(*base, Value()), "Hi, Ada (gold) 1 2");
}

}  // namespace
}  // namespace tessera
