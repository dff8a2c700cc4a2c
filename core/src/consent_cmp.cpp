// Consent relayed by consent-management platforms: IAB TCF v2.2 TCData and
// Google Consent Mode v2 states, mapped onto Tessera's purposes.
#include <initializer_list>
#include <optional>
#include <string>

#include "consent_message.h"
#include "tessera/consent.h"

namespace tessera {
namespace {

constexpr int kTcfPurposeCount = 11;

struct TcfConsents {
  bool granted[kTcfPurposeCount + 1] = {};  // index = TCF purpose id
  bool All(std::initializer_list<int> purposes) const {
    for (int p : purposes) {
      if (!granted[p]) return false;
    }
    return true;
  }
};

Status ReadTcfConsents(const Value& tc_data, TcfConsents* out) {
  if (!tc_data.is_object()) {
    return Status::InvalidArgument("tcData: must be an object, got " +
                                   ShownInConsentMessage(tc_data));
  }
  const Value* consents = tc_data.find_path("purpose.consents");
  if (!consents) {
    return Status::InvalidArgument("tcData.purpose.consents: is missing");
  }
  if (!consents->is_object()) {
    return Status::InvalidArgument(
        "tcData.purpose.consents: must be an object, got " +
        ShownInConsentMessage(*consents));
  }
  for (int purpose = 1; purpose <= kTcfPurposeCount; ++purpose) {
    const std::string key = IntegerText(purpose);
    const Value* v = consents->find(key);
    if (!v) continue;  // absent means not consented
    if (!v->is_bool()) {
      return Status::InvalidArgument("tcData.purpose.consents[\"" + key +
                                     "\"]: must be a boolean, got " +
                                     ShownInConsentMessage(*v));
    }
    out->granted[purpose] = v->as_bool();
  }
  return Status::Ok();
}

// A Consent Mode field: granted/denied, or absent (nullopt, no error).
Status ReadConsentModeField(const Value& state, const char* key,
                            std::optional<bool>* out) {
  const Value* v = state.find(key);
  if (!v) return Status::Ok();
  if (v->is_string() && v->as_string() == "granted") {
    *out = true;
  } else if (v->is_string() && v->as_string() == "denied") {
    *out = false;
  } else {
    return Status::InvalidArgument(std::string("consent mode: ") + key +
                                   ": must be \"granted\" or \"denied\", got " +
                                   ShownInConsentMessage(*v));
  }
  return Status::Ok();
}

}  // namespace

Result<ConsentUpdate> FromTcf(const Value& tc_data) {
  ConsentUpdate update;
  update.source = ConsentSource::kTcf;
  const Value* gdpr_applies =
      tc_data.is_object() ? tc_data.find("gdprApplies") : nullptr;
  if (gdpr_applies && gdpr_applies->is_bool() && !gdpr_applies->as_bool()) {
    return update;  // outside GDPR the TCF signal carries no choice
  }
  TcfConsents tcf;
  if (Status s = ReadTcfConsents(tc_data, &tcf); !s.ok()) return s;
  // Purpose 1 (storage on the device) gates everything: the profile, the
  // queues and the consent state all live in browser storage.
  update.analytics = tcf.All({1, 8, 9});
  update.personalization = tcf.All({1, 5, 6});
  update.marketing = tcf.All({1, 3, 4});
  return update;
}

Result<ConsentUpdate> FromGoogleConsentMode(const Value& state) {
  if (!state.is_object()) {
    return Status::InvalidArgument("consent mode: must be an object, got " +
                                   ShownInConsentMessage(state));
  }
  ConsentUpdate update;
  update.source = ConsentSource::kGcm;
  std::optional<bool> ad_storage, ad_user_data, ad_personalization;
  const struct {
    const char* key;
    std::optional<bool>* out;
  } fields[] = {
      {"analytics_storage", &update.analytics},
      {"personalization_storage", &update.personalization},
      {"ad_storage", &ad_storage},
      {"ad_user_data", &ad_user_data},
      {"ad_personalization", &ad_personalization},
  };
  for (const auto& field : fields) {
    if (Status s = ReadConsentModeField(state, field.key, field.out); !s.ok()) {
      return s;
    }
  }
  // Email marketing stores ad data, sends user data and personalizes: it
  // needs all three ad signals, and any one refusal withdraws it.
  const std::optional<bool>* ads[] = {&ad_storage, &ad_user_data,
                                      &ad_personalization};
  bool any_denied = false, all_granted = true;
  for (const std::optional<bool>* ad : ads) {
    if (ad->has_value() && !**ad) any_denied = true;
    if (!ad->has_value() || !**ad) all_granted = false;
  }
  if (any_denied) {
    update.marketing = false;
  } else if (all_granted) {
    update.marketing = true;
  }
  return update;
}

}  // namespace tessera
