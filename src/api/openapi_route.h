#pragma once
// GET /api/openapi.yaml: the API's description (docs/openapi.yaml, OpenAPI 3.1), embedded in
// the binary at build time, so that what a server serves describes that server's routes.
// Open to everyone, as /health is: it holds no data.

#include <string_view>

#include "http/router.h"

namespace gaia::api {

// docs/openapi.yaml as it was when the server was built.
extern const std::string_view kOpenApiYaml;

void add_openapi_route(http::Router& router);

}  // namespace gaia::api
