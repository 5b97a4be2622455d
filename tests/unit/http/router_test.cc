#include "http/router.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gaia::http {
namespace {

Request request(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

Router hello_router() {
  Router router;
  router.add("GET", "/hello", [](const Request&) {
    return json_response(200, boost::json::object{{"hello", "world"}});
  });
  router.add("POST", "/hello", [](const Request& req) {
    return json_response(201, boost::json::object{{"got", req.body}});
  });
  return router;
}

TEST(RouterTest, CallsTheHandlerOfMethodAndPath) {
  Router router = hello_router();
  Response get = router.route(request("GET", "/hello"));
  EXPECT_EQ(get.status, 200u);
  EXPECT_EQ(get.content_type, "application/json");
  EXPECT_EQ(boost::json::parse(get.body), (boost::json::object{{"hello", "world"}}));

  Request post = request("POST", "/hello");
  post.body = "x";
  EXPECT_EQ(router.route(post).status, 201u);
}

TEST(RouterTest, PatternSegmentsReachTheHandlerAndExactPathsWin) {
  Router router;
  router.add("PUT", "/users/{name}", [](const Request& req) {
    return json_response(200, {{"name", req.path_param("name")}});
  });
  router.add("PUT", "/users/me", [](const Request&) { return json_response(201, {}); });
  Response r = router.route(request("PUT", "/users/alice"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(boost::json::parse(r.body).at("name"), "alice");
  EXPECT_EQ(router.route(request("PUT", "/users/me")).status, 201u);
  EXPECT_EQ(router.route(request("PUT", "/users/")).status, 404u);
  EXPECT_EQ(router.route(request("PUT", "/users/a/b")).status, 404u);
  EXPECT_EQ(router.route(request("GET", "/users/alice")).status, 405u);
}

TEST(RouterTest, AsyncHandlerMayAnswerFromAnotherThreadAndIsObserved) {
  Router router;
  std::vector<std::thread> answering;
  router.add_async("POST", "/later/{id}", [&](const Request& req, Responder respond) {
    answering.emplace_back([id = std::string(req.path_param("id")), respond] {
      respond(json_response(202, {{"id", id}}));
    });
  });
  std::string seen;
  router.set_observer([&](std::string_view route, std::string_view method, unsigned status) {
    seen = std::string(method) + " " + std::string(route) + " " + std::to_string(status);
  });
  Response r = router.route(request("POST", "/later/7"));
  for (auto& t : answering) t.join();
  EXPECT_EQ(r.status, 202u);
  EXPECT_EQ(boost::json::parse(r.body).at("id"), "7");
  EXPECT_EQ(seen, "POST /later/{id} 202");
}

TEST(RouterTest, TheObserverSeesOtherForAMethodNoRouteOfThePathAnswers) {
  Router router = hello_router();
  std::vector<std::string> seen;
  router.set_observer([&](std::string_view route, std::string_view method, unsigned status) {
    seen.push_back(std::string(method) + " " + std::string(route) + " " + std::to_string(status));
  });
  router.route(request("HEAD", "/hello"));
  router.route(request("PURGE1", "/hello"));
  router.route(request("PURGE2", "/hello"));
  router.route(request("GET", "/nowhere"));
  // Methods a client makes up never become label values of their own.
  EXPECT_EQ(seen, (std::vector<std::string>{"HEAD /hello 200", "other /hello 405",
                                            "other /hello 405", "other  404"}));
}

TEST(RouterTest, AnswersUnknownPathWithJson404) {
  Response r = hello_router().route(request("GET", "/hello/"));
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(boost::json::parse(r.body).at("error"), "not_found");
}

TEST(RouterTest, AnswersWrongMethodWith405AndAllow) {
  Response r = hello_router().route(request("DELETE", "/hello"));
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(boost::json::parse(r.body).at("error"), "method_not_allowed");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].name, "Allow");
  EXPECT_EQ(r.headers[0].value, "GET, HEAD, POST");
}

TEST(RouterTest, AGetRouteAnswersHead) {
  Router router = hello_router();
  Response head = router.route(request("HEAD", "/hello"));
  EXPECT_EQ(head.status, 200u);
  // The body is the GET's: the connection sends its length and drops it (server_test).
  EXPECT_EQ(head.body, router.route(request("GET", "/hello")).body);
}

TEST(RouterTest, PathParametersArePercentDecoded) {
  Router router;
  router.add("GET", "/users/{name}", [](const Request& req) {
    return json_response(200, {{"name", req.path_param("name")}});
  });
  router.add("GET", "/users/{name}/keys", [](const Request&) { return json_response(201, {}); });
  router.add("GET", "/health", [](const Request&) { return json_response(202, {}); });
  const auto name_of = [&](std::string path) {
    Response r = router.route(request("GET", std::move(path)));
    EXPECT_EQ(r.status, 200u) << r.body;
    return std::string(boost::json::parse(r.body).at("name").as_string());
  };
  EXPECT_EQ(name_of("/users/eve.o%40x.org"), "eve.o@x.org");
  EXPECT_EQ(name_of("/users/a%2Fb"), "a/b");  // an escaped slash stays in its segment
  EXPECT_EQ(name_of("/users/%C3%A9l%C3%A8ne"), "\xC3\xA9l\xC3\xA8ne");
  EXPECT_EQ(router.route(request("GET", "/users/a%2Fb/keys")).status, 201u);
  EXPECT_EQ(router.route(request("GET", "/h%65alth")).status, 202u);
  EXPECT_EQ(router.route(request("GET", "/users/%zz")).status, 404u);
}

TEST(RouterTest, ListsEveryRouteItKnows) {
  Router router = hello_router();
  router.add("DELETE", "/users/{name}", [](const Request&) { return json_response(200, {}); });
  std::vector<std::pair<std::string, std::string>> listed;
  for (const RouteEntry& r : router.routes()) listed.emplace_back(r.method, r.path);
  EXPECT_EQ(listed, (std::vector<std::pair<std::string, std::string>>{
                        {"GET", "/hello"}, {"POST", "/hello"}, {"DELETE", "/users/{name}"}}));
}

TEST(RouterTest, ErrorsAreProblemDetails) {
  Response r = hello_router().route(request("GET", "/nowhere"));
  EXPECT_EQ(r.content_type, "application/problem+json");
  const boost::json::value body = boost::json::parse(r.body);
  EXPECT_EQ(body.at("type"), "about:blank");
  EXPECT_EQ(body.at("title"), "Not Found");
  EXPECT_EQ(body.at("status"), 404);
  EXPECT_EQ(body.at("error"), "not_found");
  EXPECT_EQ(body.at("detail"), body.at("message"));
}

TEST(RouterTest, RefusesARouteThatIsAlreadyRegistered) {
  Router router = hello_router();
  auto again = [](const Request&) { return json_response(202, nullptr); };
  EXPECT_THROW(router.add("GET", "/hello", again), std::logic_error);
  router.add_pool("work", {.threads = 1});
  EXPECT_THROW(router.add_blocking("POST", "/hello", "work", again), std::logic_error);
  router.add("GET", "/users/{name}", again);
  EXPECT_THROW(router.add("GET", "/users/{name}", again), std::logic_error);
  EXPECT_EQ(router.route(request("GET", "/hello")).status, 200u);  // the first owner stays
  router.add("PUT", "/hello", again);  // another method on the same path is another route
  EXPECT_EQ(router.route(request("PUT", "/hello")).status, 202u);
}

TEST(RouterTest, ABlockingRouteMustNameADeclaredPool) {
  Router router;
  auto handler = [](const Request&) { return json_response(200, nullptr); };
  EXPECT_THROW(router.add_blocking("GET", "/report", "reports", handler), std::logic_error);
  router.add_pool("reports", {.threads = 1, .max_queued = 4});
  EXPECT_THROW(router.add_pool("reports", {.threads = 2}), std::logic_error);
  EXPECT_THROW(router.add_pool("none", {.threads = 0}), std::logic_error);
  router.add_blocking("GET", "/report", "reports", handler);
  // Without a connection (no server) the handler runs on the caller's thread.
  EXPECT_EQ(router.route(request("GET", "/report")).status, 200u);
}

TEST(RouterTest, TurnsThrowingHandlerInto500) {
  Router router;
  router.add("GET", "/boom", [](const Request&) -> Response { throw std::runtime_error("boom"); });
  Response r = router.route(request("GET", "/boom"));
  EXPECT_EQ(r.status, 500u);
  EXPECT_EQ(r.body.find("boom"), std::string::npos);  // internals stay inside
}

TEST(RequestTest, FindsHeadersCaseInsensitively) {
  Request r;
  r.headers = {{"Content-Type", "text/plain"}, {"X-Key", "k"}};
  EXPECT_EQ(r.header("content-type"), "text/plain");
  EXPECT_EQ(r.header("X-KEY"), "k");
  EXPECT_EQ(r.header("Authorization"), "");
}

TEST(RequestTest, ReadsCookiesByNameAcrossHeaders) {
  Request r;
  r.headers = {{"Cookie", "a=1; gaia_session=\"tok\""}, {"cookie", " b = 2 "}};
  EXPECT_EQ(r.cookie("gaia_session"), "tok");
  EXPECT_EQ(r.cookie("b"), "2");
  EXPECT_EQ(r.cookie("c"), "");
}

}  // namespace
}  // namespace gaia::http

namespace gaia::http {
namespace {

// Adds a route whose handler counts its calls in `calls` and answers 200.
void add_counted(Router& router, const char* method, const char* path, int& calls) {
  router.add(method, path, [&calls](const Request&) {
    ++calls;
    return json_response(200, {});
  });
}

TEST(RouterTest, AParameterThatIsNotTextIsRefusedNamingItBeforeTheHandlerRuns) {
  Router router;
  int calls = 0;
  add_counted(router, "PUT", "/users/{name}", calls);
  const auto field_of = [&](std::string path, std::string query) {
    Request r = request("PUT", std::move(path));
    r.query = std::move(query);
    Response answer = router.route(std::move(r));
    EXPECT_EQ(answer.status, 400u) << answer.body;
    return std::string(boost::json::parse(answer.body).at("field").as_string());
  };
  EXPECT_EQ(field_of("/users/al%00ice", ""), "name");
  EXPECT_EQ(field_of("/users/al\xff", ""), "name");
  EXPECT_EQ(field_of("/users/alice", "note=a%00b"), "note");
  EXPECT_EQ(field_of("/users/alice", "note=%c3"), "note");
  EXPECT_EQ(field_of("/users/alice", "n%00te=1"), "query");
  EXPECT_EQ(calls, 0);
  Request fine = request("PUT", "/users/%C3%A9l%C3%A8ne");
  fine.query = "note=%E2%9C%93&flag";
  EXPECT_EQ(router.route(std::move(fine)).status, 200u);
  EXPECT_EQ(calls, 1);
}

TEST(RouterTest, AQueryParameterNamedTwiceIsRefusedNamingItBeforeTheHandlerRuns) {
  Router router;
  int calls = 0;
  add_counted(router, "GET", "/violations", calls);
  // Named the same once decoded: "us%65r" and "user" are one name.
  const std::pair<const char*, const char*> twice[] = {{"user=a&user=b", "user"},
                                                       {"user=a&limit=5&us%65r=b", "user"},
                                                       {"flag&flag", "flag"},
                                                       {"a=1&a", "a"}};
  for (const auto& [query, field] : twice) {
    Request r = request("GET", "/violations");
    r.query = query;
    Response answer = router.route(std::move(r));
    ASSERT_EQ(answer.status, 400u) << query;
    const boost::json::value problem = boost::json::parse(answer.body);
    EXPECT_EQ(problem.at("field"), field) << query;
    EXPECT_EQ(problem.at("message"), "is given more than once") << query;
  }
  EXPECT_EQ(calls, 0);
  Request fine = request("GET", "/violations");
  fine.query = "user=a&users=b&limit=5";
  EXPECT_EQ(router.route(std::move(fine)).status, 200u);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace gaia::http
