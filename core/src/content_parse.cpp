#include <initializer_list>
#include <utility>

#include "tessera/content.h"

namespace tessera {
namespace {

// Reads a required non-empty string member; returns whether it was one.
bool ReadId(const Value& json, const std::string& path, std::string* out,
            Problems* problems) {
  const Value* id = json.find("id");
  if (id == nullptr) {
    AddProblem(problems, JoinPath(path, "id"), "is required");
    return false;
  }
  if (!id->is_string() || id->as_string().empty()) {
    AddProblem(problems, JoinPath(path, "id"), "must be a non-empty string");
    return false;
  }
  *out = id->as_string();
  return true;
}

// CompiledCondition reports "$.a.$gt: message" relative to the condition;
// the problem goes under the condition's own path instead.
void AddConditionProblem(const std::string& condition_path,
                         const std::string& message, Problems* problems) {
  if (message.size() > 1 && message[0] == '$' &&
      (message[1] == '.' || message[1] == '[' || message[1] == ':')) {
    const size_t colon = message.find(": ");
    if (colon != std::string::npos) {
      AddProblem(problems, condition_path + message.substr(1, colon - 1),
                 message.substr(colon + 2));
      return;
    }
  }
  AddProblem(problems, condition_path, message);
}

void ParseVariant(const Value& json, const std::string& path,
                  const RegexMatcher* regex, Variant* out, Problems* problems) {
  if (!json.is_object()) {
    AddProblem(problems, path, "must be an object");
    return;
  }
  RejectUnknownFields(
      json, path, {"id", "condition", "template", "data", "name"}, problems);
  ReadId(json, path, &out->id, problems);

  const Value* condition = json.find("condition");
  if (condition != nullptr && !condition->is_null()) {
    Result<CompiledCondition> compiled =
        CompiledCondition::Compile(*condition, regex);
    if (compiled.ok()) {
      out->condition = std::move(compiled).value();
      out->has_condition = true;
    } else {
      AddConditionProblem(JoinPath(path, "condition"),
                          compiled.status().message(), problems);
    }
  }

  const std::string template_path = JoinPath(path, "template");
  const Value* text = json.find("template");
  if (text == nullptr) {
    AddProblem(problems, template_path, "is required");
  } else if (!text->is_string()) {
    AddProblem(problems, template_path,
               "must be a string (a Mustache template)");
  } else {
    out->template_text = text->as_string();
    Result<MustacheTemplate> parsed =
        MustacheTemplate::Parse(text->as_string());
    if (parsed.ok()) {
      out->tmpl = std::move(parsed).value();
    } else {
      AddProblem(problems, template_path, parsed.status().message());
    }
  }

  const Value* data = json.find("data");
  if (data != nullptr && !data->is_null()) {
    if (data->is_object()) {
      out->data = *data;
    } else {
      AddProblem(problems, JoinPath(path, "data"),
                 "must be an object (extra values for the template)");
    }
  }
}

}  // namespace

bool ParseSlot(const Value& json, const std::string& path,
               const RegexMatcher* regex, Slot* out, Problems* problems) {
  const size_t problems_before = problems->size();
  *out = Slot();
  if (!json.is_object()) {
    AddProblem(problems, path, "must be an object");
    return false;
  }
  RejectUnknownFields(json, path,
                      {"id", "variants", "default", "experiment", "name"},
                      problems);
  ReadId(json, path, &out->id, problems);

  const std::string variants_path = JoinPath(path, "variants");
  const Value* variants = json.find("variants");
  if (variants == nullptr) {
    AddProblem(problems, variants_path, "is required");
  } else if (!variants->is_array()) {
    AddProblem(problems, variants_path, "must be an array of variants");
  } else if (variants->size() == 0) {
    AddProblem(problems, variants_path, "must list at least one variant");
  } else {
    const Array& items = variants->as_array();
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string item_path = JoinPath(variants_path, i);
      Variant variant;
      ParseVariant(items[i], item_path, regex, &variant, problems);
      if (!variant.id.empty()) {
        for (size_t j = 0; j < out->variants.size(); ++j) {
          if (out->variants[j].id == variant.id) {
            AddProblem(problems, JoinPath(item_path, "id"),
                       "duplicate variant id \"" + variant.id + "\" (also at " +
                           JoinPath(variants_path, j) + ")");
            break;
          }
        }
      }
      out->variants.push_back(std::move(variant));
    }
  }

  const Value* default_variant = json.find("default");
  if (default_variant != nullptr && !default_variant->is_null()) {
    const std::string default_path = JoinPath(path, "default");
    if (!default_variant->is_string() || default_variant->as_string().empty()) {
      AddProblem(problems, default_path,
                 "must be a non-empty string (a variant id)");
    } else if (out->FindVariant(default_variant->as_string()) == nullptr) {
      AddProblem(problems, default_path,
                 "\"" + default_variant->as_string() +
                     "\" is not the id of any variant of this slot");
    } else {
      out->default_variant = default_variant->as_string();
    }
  }

  const Value* experiment = json.find("experiment");
  if (experiment != nullptr && !experiment->is_null()) {
    if (!experiment->is_string() || experiment->as_string().empty()) {
      AddProblem(problems, JoinPath(path, "experiment"),
                 "must be a non-empty string (an experiment key)");
    } else {
      out->experiment_key = experiment->as_string();
    }
  }
  return problems->size() == problems_before;
}

bool CheckSlotExperiment(const Slot& slot, const Experiment& experiment,
                         const std::string& experiment_path,
                         Problems* problems) {
  const size_t problems_before = problems->size();
  const std::string variations_path = JoinPath(experiment_path, "variations");
  for (size_t i = 0; i < experiment.variations.size(); ++i) {
    const std::string& id = experiment.variations[i];
    if (slot.FindVariant(id) == nullptr) {
      AddProblem(problems, JoinPath(variations_path, i),
                 "\"" + id + "\" is not a variant of slot \"" + slot.id + "\"");
    }
  }
  return problems->size() == problems_before;
}

}  // namespace tessera
