// RequestParser: Beast's parser writing into a Request that one connection reuses for every
// request, so nothing of one request may show through in the next.

#include "http/detail/request_parser.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>

namespace gaia::http::detail {
namespace {

// Feeds `wire` to `parser` until the message is complete; the parse error, if any.
boost::beast::error_code parse(RequestParser& parser, std::string_view wire) {
  parser.eager(true);
  boost::beast::error_code ec;
  while (!wire.empty() && !parser.is_done()) {
    std::size_t used = parser.put(boost::asio::buffer(wire.data(), wire.size()), ec);
    if (ec) return ec;
    if (used == 0) break;
    wire.remove_prefix(used);
  }
  if (!parser.is_done()) return boost::beast::http::error::need_more;
  return ec;
}

TEST(RequestParserTest, FillsTheRequest) {
  Request req;
  RequestParser parser(req);
  ASSERT_FALSE(parse(parser,
                     "POST /api/v1/check?verbose=1&x=2 HTTP/1.1\r\nHost: gaia\r\n"
                     "Authorization: Bearer k\r\nContent-Length: 16\r\n\r\n{\"type\":\"shell\"}"));
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/api/v1/check");
  EXPECT_EQ(req.query, "verbose=1&x=2");
  ASSERT_EQ(req.headers.size(), 3u);
  EXPECT_EQ(req.header("authorization"), "Bearer k");
  EXPECT_EQ(req.body, "{\"type\":\"shell\"}");
  EXPECT_EQ(parser.version(), 11);
  EXPECT_TRUE(parser.keep_alive());
}

TEST(RequestParserTest, TheNextRequestKeepsNothingOfTheLast) {
  Request req;
  {
    RequestParser parser(req);
    ASSERT_FALSE(parse(parser,
                       "PUT /a/b?q=1 HTTP/1.1\r\nHost: h\r\nX-One: 1\r\nX-Two: 2\r\n"
                       "Content-Length: 5\r\n\r\nhello"));
    req.path_params.push_back({"name", "b"});
  }
  RequestParser parser(req);
  ASSERT_FALSE(parse(parser, "GET /c HTTP/1.0\r\nX-Three: 3\r\n\r\n"));
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path, "/c");
  EXPECT_EQ(req.query, "");
  ASSERT_EQ(req.headers.size(), 1u);
  EXPECT_EQ(req.headers[0].name, "X-Three");
  EXPECT_EQ(req.header("X-One"), "");
  EXPECT_EQ(req.body, "");
  EXPECT_TRUE(req.path_params.empty());
  EXPECT_EQ(parser.version(), 10);
  EXPECT_FALSE(parser.keep_alive());
}

TEST(RequestParserTest, JoinsAChunkedBody) {
  Request req;
  RequestParser parser(req);
  ASSERT_FALSE(parse(parser,
                     "POST /d HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n"));
  EXPECT_EQ(req.body, "abcde");
}

TEST(RequestParserTest, RefusesABodyOverItsLimit) {
  Request req;
  RequestParser parser(req);
  parser.body_limit(4);
  EXPECT_EQ(parse(parser, "POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"),
            boost::beast::http::error::body_limit);
  EXPECT_EQ(req.body, "");
}

TEST(RequestParserTest, RefusesMalformedInput) {
  Request req;
  RequestParser parser(req);
  EXPECT_TRUE(parse(parser, "GET /f HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n"));
}

TEST(RequestParserTest, AnHttp11RequestWithoutHostIsRefused) {
  Request req;
  RequestParser parser(req);
  EXPECT_EQ(parse(parser, "GET /g HTTP/1.1\r\nX-Host: h\r\n\r\n"),
            boost::beast::http::error::bad_field);
  EXPECT_EQ(parser.refusal(), "an HTTP/1.1 request must give the Host field");
  // HTTP/1.0 has no Host to require.
  RequestParser old(req);
  EXPECT_FALSE(parse(old, "GET /g HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(old.refusal(), "");
}

TEST(RequestParserTest, AOneValueFieldGivenTwiceIsRefusedWhateverItsCase) {
  for (const char* field : {"Host", "authorization", "CONTENT-TYPE", "Origin"}) {
    Request req;
    RequestParser parser(req);
    const std::string wire = std::string("GET /h HTTP/1.1\r\nHost: h\r\nAuthorization: a\r\n") +
                             "Content-Type: t\r\nCookie: c\r\nOrigin: o\r\n" + field +
                             ": again\r\n\r\n";
    EXPECT_EQ(parse(parser, wire), boost::beast::http::error::bad_field) << field;
    EXPECT_NE(parser.refusal().find("field is given more than once"), std::string::npos) << field;
  }
  // A field that is a list may come on several lines, and so may cookies, as a proxy passes
  // on an HTTP/2 client's: each line is read.
  Request req;
  RequestParser parser(req);
  EXPECT_FALSE(parse(parser,
                     "GET /h HTTP/1.1\r\nHost: h\r\nAccept: a\r\nAccept: b\r\n"
                     "X-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For: 5.6.7.8\r\n"
                     "Cookie: a=1\r\nCookie: gaia_session=s; b=2\r\n\r\n"));
  EXPECT_EQ(req.headers.size(), 7u);
  EXPECT_EQ(req.cookie("gaia_session"), "s");
}

TEST(RequestParserTest, ATransferCodingOtherThanChunkedAloneIsRefusedAsNotImplemented) {
  for (const char* coding : {"gzip, chunked", "identity, chunked", "chunked, chunked", "gzip"}) {
    Request req;
    RequestParser parser(req);
    EXPECT_TRUE(parse(parser, std::string("POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ") +
                                  coding + "\r\n\r\n0\r\n\r\n"))
        << coding;
    EXPECT_EQ(parser.refusal_status(), 501u) << coding;
  }
  // Chunked on two lines is chunked twice.
  Request req;
  RequestParser twice(req);
  EXPECT_TRUE(parse(twice,
                    "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
  EXPECT_EQ(twice.refusal_status(), 400u);
  RequestParser chunked(req);
  EXPECT_FALSE(parse(chunked,
                     "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
                     "2\r\nok\r\n0\r\n\r\n"));
  EXPECT_EQ(req.body, "ok");
}

}  // namespace
}  // namespace gaia::http::detail
