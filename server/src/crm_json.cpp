#include "crm_json.h"

#include "tessera/server/crm_import.h"

namespace tessera::server {

using Json = nlohmann::ordered_json;

std::string FormatCents(int64_t cents) {
  bool negative = cents < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(cents)
                                : static_cast<uint64_t>(cents);
  std::string fraction = std::to_string(magnitude % 100);
  if (fraction.size() < 2) fraction.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(magnitude / 100) + "." +
         fraction;
}

Json CustomerJson(const CustomerRecord& customer, const PiiCipher* pii) {
  Json out;
  out["site"] = customer.site;
  out["customer_id"] = customer.customer_id;
  if (pii) {
    out["email"] =
        customer.email_sealed.empty()
            ? Json(nullptr)
            : Json(pii->Decrypt(
                  customer.email_sealed,
                  PiiContext(customer.site, customer.customer_id, "email")));
    out["name"] =
        customer.name_sealed.empty()
            ? Json(nullptr)
            : Json(pii->Decrypt(
                  customer.name_sealed,
                  PiiContext(customer.site, customer.customer_id, "name")));
  } else {
    out["has_email"] = !customer.email_sealed.empty();
    out["has_name"] = !customer.name_sealed.empty();
  }
  Json traits = Json::parse(customer.traits_json, nullptr, false);
  if (traits.is_discarded()) {
    throw StoreError("the stored customer '" + customer.customer_id +
                     "' of site '" + customer.site +
                     "' has traits that are not JSON (a damaged or edited "
                     "row)");
  }
  out["traits"] = std::move(traits);
  out["created_at_ms"] = customer.created_at_ms;
  out["updated_at_ms"] = customer.updated_at_ms;
  return out;
}

Json TransactionJson(const TransactionRecord& t) {
  Json out;
  out["site"] = t.site;
  out["customer_id"] = t.customer_id;
  if (!t.transaction_id.empty()) out["transaction_id"] = t.transaction_id;
  out["date"] = t.day;
  out["quantity"] = t.quantity;
  out["amount"] = FormatCents(t.amount_cents);
  out["amount_cents"] = t.amount_cents;
  out["imported_at_ms"] = t.imported_at_ms;
  return out;
}

Json IdentityLinkJson(const IdentityLink& link) {
  return Json{{"site", link.site},
              {"vid", link.vid},
              {"customer_id", link.customer_id},
              {"source", link.source},
              {"linked_at_ms", link.linked_at_ms}};
}

}  // namespace tessera::server
