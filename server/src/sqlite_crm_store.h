// The SQLite engine of CrmStore (sqlite_crm_store.cpp). Private to the
// server: callers use OpenCrmStore, which picks the engine from the URI.
#ifndef TESSERA_SERVER_SQLITE_CRM_STORE_H_
#define TESSERA_SERVER_SQLITE_CRM_STORE_H_

#include <memory>
#include <string>

#include "tessera/server/crm_store.h"

namespace tessera::server {

// Opens (creating it) the database file at `path`. Throws StoreError when
// it cannot. Does not migrate.
std::unique_ptr<CrmStore> OpenSqliteCrmStore(const std::string& path);

// The newest CRM schema version this server knows.
int SqliteCrmSchemaVersion();

}  // namespace tessera::server

#endif  // TESSERA_SERVER_SQLITE_CRM_STORE_H_
