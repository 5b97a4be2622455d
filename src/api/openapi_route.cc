#include "api/openapi_route.h"

namespace gaia::api {

void add_openapi_route(http::Router& router) {
  router.add("GET", "/api/openapi.yaml", [](const http::Request&) {
    http::Response r;
    r.content_type = "application/yaml";  // RFC 9512
    r.body = std::string(kOpenApiYaml);
    return r;
  });
}

}  // namespace gaia::api
