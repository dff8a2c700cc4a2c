#include "tessera/server/crm_store.h"

#include "postgres_connection.h"
#include "postgres_crm_store.h"
#include "sqlite_crm_store.h"

namespace tessera::server {

std::unique_ptr<CrmStore> OpenCrmStore(const std::string& uri) {
  if (postgres::IsPostgresUri(uri)) return OpenPostgresCrmStore(uri);
  std::string path = uri;
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.empty()) throw StoreError("empty database path");
  return OpenSqliteCrmStore(path);
}

}  // namespace tessera::server
