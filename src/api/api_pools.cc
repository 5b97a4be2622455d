#include "api/api_pools.h"

#include <string>

namespace gaia::api {

void add_api_pools(http::Router& router, const ApiPools& pools) {
  router.add_pool(std::string(kAdminPool), pools.admin);
  router.add_pool(std::string(kAnalyticsPool), pools.analytics);
  router.add_pool(std::string(kExecPool), pools.exec);
}

}  // namespace gaia::api
