// StaticFiles: the answers, headers and revalidation of served files, and the embedded
// dashboard (web/) as gaia_server serves it: every asset the page names is there.

#include "http/static_files.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <filesystem>
#include <set>
#include <string>

#include "http/router.h"

namespace gaia::http {
namespace {

const StaticFile kFiles[] = {
    {"index.html", "text/html; charset=utf-8", "<!doctype html><p>hi</p>"},
    {"js/app.js", "text/javascript; charset=utf-8", "export const x = 1;\n"},
    {"style.css", "text/css; charset=utf-8", "p { color: red }\n"},
};

Request get(std::string path, std::vector<Header> headers = {}) {
  Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.headers = std::move(headers);
  return r;
}

std::string header(const Response& r, std::string_view name) {
  for (const Header& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "";
}

TEST(StaticFilesTest, ServesTheIndexAtTheMountWithOrWithoutSlash) {
  StaticFiles files(kFiles, "/admin/quotas");
  for (const char* path : {"/admin/quotas", "/admin/quotas/", "/admin/quotas/index.html"}) {
    Response r = files.serve(get(path));
    EXPECT_EQ(r.status, 200u) << path;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8") << path;
    EXPECT_EQ(r.body, "<!doctype html><p>hi</p>") << path;
  }
}

TEST(StaticFilesTest, ServesAFileInAFolderWithItsContentType) {
  StaticFiles files(kFiles, "/admin/quotas");
  Response r = files.serve(get("/admin/quotas/js/app.js"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(r.body, "export const x = 1;\n");
}

TEST(StaticFilesTest, EveryAnswerCarriesTheStrictPolicy) {
  StaticFiles files(kFiles, "/admin/quotas");
  for (const char* path : {"/admin/quotas", "/admin/quotas/style.css", "/admin/quotas/nope.js"}) {
    Response r = files.serve(get(path));
    EXPECT_EQ(header(r, "Content-Security-Policy"),
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
        << path;
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer") << path;
  }
}

TEST(StaticFilesTest, AnUnknownPathOrASiblingOfTheMountIsNotFound) {
  StaticFiles files(kFiles, "/admin/quotas");
  EXPECT_EQ(files.serve(get("/admin/quotas/missing.js")).status, 404u);
  EXPECT_EQ(files.serve(get("/admin/quotasjs/app.js")).status, 404u);
  EXPECT_EQ(files.serve(get("/admin/quotas/../quotas/js/app.js")).status, 404u);
}

TEST(StaticFilesTest, AMatchingIfNoneMatchAnswersNotModifiedWithoutABody) {
  StaticFiles files(kFiles, "/admin/quotas");
  Response first = files.serve(get("/admin/quotas/style.css"));
  const std::string etag = header(first, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(header(first, "Cache-Control"), "no-cache");
  Response again = files.serve(get("/admin/quotas/style.css", {{"If-None-Match", etag}}));
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(header(again, "ETag"), etag);
  Response listed =
      files.serve(get("/admin/quotas/style.css", {{"If-None-Match", "\"other\", W/" + etag}}));
  EXPECT_EQ(listed.status, 304u);
  Response stale = files.serve(get("/admin/quotas/style.css", {{"If-None-Match", "\"other\""}}));
  EXPECT_EQ(stale.status, 200u);
  EXPECT_EQ(stale.body, "p { color: red }\n");
}

TEST(StaticFilesTest, OtherBytesGetAnotherEtag) {
  const StaticFile v1[] = {{"app.js", "text/javascript", "let a = 1;"}};
  const StaticFile v2[] = {{"app.js", "text/javascript", "let a = 2;"}};
  StaticFiles one(v1, "/m"), two(v2, "/m");
  EXPECT_NE(one.etag("app.js"), two.etag("app.js"));
  EXPECT_EQ(one.etag("app.js"), StaticFiles(v1, "/m").etag("app.js"));
  EXPECT_EQ(one.etag("missing.js"), "");
}

TEST(StaticFilesTest, RoutesServeEveryFileThroughTheRouter) {
  StaticFiles files(kFiles, "/admin/quotas");
  Router router;
  add_static_routes(router, files);
  EXPECT_EQ(router.route(get("/admin/quotas")).status, 200u);
  EXPECT_EQ(router.route(get("/admin/quotas/js/app.js")).body, "export const x = 1;\n");
  EXPECT_EQ(router.route(get("/admin/quotas/other.js")).status, 404u);
  Request post = get("/admin/quotas");
  post.method = "POST";
  EXPECT_EQ(router.route(post).status, 405u);
}

// The dashboard as embedded: the page exists, and every script, style sheet and module import
// it names is one of the embedded files (a missing one would break the page only in a browser).
TEST(EmbeddedDashboardTest, EveryAssetThePageNamesIsEmbedded) {
  std::set<std::string> paths;
  std::string index;
  for (const StaticFile& f : web::dashboard_files()) {
    paths.insert(std::string(f.path));
    if (f.path == "index.html") index = std::string(f.body);
  }
  ASSERT_FALSE(index.empty());
  const RE2 asset(R"re((?:src|href)="/admin/quotas/([^"]+)")re");
  int named = 0;
  re2::StringPiece page(index);
  std::string name;
  while (RE2::FindAndConsume(&page, asset, &name)) {
    EXPECT_TRUE(paths.count(name)) << name;
    ++named;
  }
  EXPECT_GE(named, 2);  // the style sheet and the main module
  // Modules import each other by relative path ("./x.js" or "../x.js").
  const RE2 import(R"re(from '(\.{1,2}/[^']+)')re");
  for (const StaticFile& f : web::dashboard_files()) {
    if (!f.path.ends_with(".js")) continue;
    std::string dir(f.path.substr(0, f.path.rfind('/') + 1));
    re2::StringPiece body(f.body.data(), f.body.size());
    std::string relative;
    while (RE2::FindAndConsume(&body, import, &relative)) {
      const std::string target = std::filesystem::path(dir + relative).lexically_normal().string();
      EXPECT_TRUE(paths.count(target)) << f.path << " imports " << relative;
    }
  }
}

TEST(EmbeddedDashboardTest, ThePageHasNoInlineScriptOrStyle) {
  for (const StaticFile& f : web::dashboard_files()) {
    if (f.path != "index.html") continue;
    std::string page(f.body);
    EXPECT_EQ(page.find("<script>"), std::string::npos);
    EXPECT_EQ(page.find("<style"), std::string::npos);
    EXPECT_EQ(page.find(" style="), std::string::npos);
    EXPECT_EQ(page.find(" onclick="), std::string::npos);
  }
}

// The page's scripts never turn text into markup or code: data reaches the DOM through
// textContent and setAttribute only (web/js/dom.js), which the CSP alone would not guarantee.
TEST(EmbeddedDashboardTest, NoScriptParsesTextAsMarkupOrCode) {
  for (const StaticFile& f : web::dashboard_files()) {
    if (!f.path.ends_with(".js")) continue;
    for (const char* sink : {".innerHTML", ".outerHTML", "insertAdjacentHTML(", "document.write(",
                             "eval(", "new Function(", "setTimeout('", "setTimeout(\""}) {
      EXPECT_EQ(f.body.find(sink), std::string_view::npos) << f.path << " uses " << sink;
    }
  }
}

}  // namespace
}  // namespace gaia::http
