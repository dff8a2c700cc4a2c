// The PostgreSQL engine of CrmStore (postgres_crm_store.cpp). Private to the
// server: callers use OpenCrmStore, which picks the engine from the URI.
#ifndef TESSERA_SERVER_POSTGRES_CRM_STORE_H_
#define TESSERA_SERVER_POSTGRES_CRM_STORE_H_

#include <memory>
#include <string>

#include "tessera/server/crm_store.h"

namespace tessera::server {

// Connects to `uri` (postgresql://...). Throws StoreError, without the
// password, when it cannot. Does not migrate.
std::unique_ptr<CrmStore> OpenPostgresCrmStore(const std::string& uri);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_POSTGRES_CRM_STORE_H_
