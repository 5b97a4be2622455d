#include "http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/text.h"

namespace gaia::http {
namespace {

using core::Result;
using core::Status;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr long kMaxRedirects = 5;
// The longest a call sleeps between looks at its deadlines when libcurl has nothing sooner.
constexpr milliseconds kLongestWait{1000};

struct EasyFree {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
struct MultiFree {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct ListFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// curl_global_init is not safe to race with other libcurl calls; a function-local static is
// initialised exactly once, by whichever thread comes first, the others waiting for it.
bool curl_ready() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), core::ascii_lower);
  return out;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// One call's state, shared with libcurl's callbacks, all on the calling thread.
struct Exchange {
  Exchange(const ClientOptions& o, const StreamCallbacks* c) : options(o), callbacks(c) {}

  const ClientOptions& options;
  const StreamCallbacks* callbacks;  // null for fetch()
  CURL* easy = nullptr;
  ClientResponse response;
  bool head_done = false;
  bool too_large = false;
  Status body_failure;  // on_body's refusal
  Clock::time_point last_activity;
  char errbuf[CURL_ERROR_SIZE] = {};  // libcurl's words for a failure
};

size_t take_header(char* data, size_t size, size_t count, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  const size_t n = size * count;
  if (x.head_done) return n;  // trailer fields: dropped
  const std::string_view line = core::trim(std::string_view(data, n), " \t\r\n");
  if (std::string_view(data, n).starts_with("HTTP/")) {
    x.response.headers.clear();  // a new head: an interim (1xx) one or a redirect came first
    return n;
  }
  if (!line.empty()) {
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos && colon > 0) {
      x.response.headers[lower(line.substr(0, colon))] =
          std::string(core::trim(line.substr(colon + 1)));
    }
    return n;
  }
  // The blank line ending a head. Interim answers and redirects being followed are not it.
  long status = 0;
  curl_easy_getinfo(x.easy, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200) return n;
  if (x.options.redirects == Redirects::kFollow && is_redirect(static_cast<int>(status)) &&
      !x.response.header("location").empty()) {
    return n;
  }
  x.head_done = true;
  x.response.status = static_cast<int>(status);
  x.last_activity = Clock::now();
  if (x.callbacks != nullptr && x.callbacks->on_head) x.callbacks->on_head(x.response);
  return n;
}

size_t take_body(char* data, size_t size, size_t count, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  const size_t n = size * count;
  x.last_activity = Clock::now();
  if (x.callbacks == nullptr) {
    if (x.response.body.size() + n > x.options.max_answer_bytes) {
      x.too_large = true;
      return CURL_WRITEFUNC_ERROR;
    }
    x.response.body.append(data, n);
    return n;
  }
  if (x.callbacks->on_body) {
    x.body_failure = x.callbacks->on_body(std::string_view(data, n));
    if (!x.body_failure.ok()) return CURL_WRITEFUNC_ERROR;
  }
  return n;
}

std::string ms_text(milliseconds t) { return std::to_string(t.count()) + " ms"; }

// The failure `rc` as the contract of Client::fetch() words it.
Status failure(CURLcode rc, const Exchange& x) {
  const std::string& peer = x.options.peer;
  const std::string detail = x.errbuf[0] != '\0' ? x.errbuf : curl_easy_strerror(rc);
  long os_errno = 0;
  curl_easy_getinfo(x.easy, CURLINFO_OS_ERRNO, &os_errno);
  const std::string why = os_errno != 0 ? std::strerror(static_cast<int>(os_errno)) : detail;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connected = 0;
      curl_easy_getinfo(x.easy, CURLINFO_CONNECT_TIME_T, &connected);
      const milliseconds connect =
          x.options.connect_timeout.count() > 0 ? x.options.connect_timeout : x.options.timeout;
      if (connected == 0 && connect < x.options.timeout) {
        return Status::unavailable("cannot connect to " + peer + ": timed out after " +
                                   ms_text(connect));
      }
      return Status::unavailable(peer + " timed out after " + ms_text(x.options.timeout));
    }
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Status::unavailable("cannot resolve " + peer + ": " + detail);
    case CURLE_COULDNT_CONNECT:
      return Status::unavailable("cannot connect to " + peer + ": " + why);
    case CURLE_GOT_NOTHING:
      return Status::unavailable(peer + " closed the connection without answering");
    case CURLE_PARTIAL_FILE:
      return Status::unavailable("connection to " + peer + " closed before the answer ended");
    case CURLE_WRITE_ERROR:
      if (x.too_large) {
        return Status::unavailable(peer + " answered more than " +
                                   std::to_string(x.options.max_answer_bytes) + " bytes");
      }
      return Status::internal(detail);
    case CURLE_RECV_ERROR:
      // libcurl reports a broken chunked framing as a receive error, naming it.
      if (detail.find("chunked") != std::string::npos) {
        return Status::internal(peer + "'s answer is not HTTP: " + detail);
      }
      return Status::unavailable("connection to " + peer + " lost: " + why);
    case CURLE_SEND_ERROR:
      return Status::unavailable("connection to " + peer + " lost: " + why);
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_TOO_MANY_REDIRECTS:
      return Status::internal(peer + "'s answer is not HTTP: " + detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Status::invalid_argument("url: " + detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return Status::unavailable(peer + " TLS: " + detail);
    default:
      return Status::unavailable(peer + ": " + detail);
  }
}

// Drives `x.easy` to its end on this thread: libcurl's multi interface, so that a wait also
// wakes for the interrupt descriptor and for the deadlines libcurl does not keep itself (a
// streamed answer's head, the idle notices).
Status perform(Exchange& x) {
  std::unique_ptr<CURLM, MultiFree> multi(curl_multi_init());
  if (!multi || curl_multi_add_handle(multi.get(), x.easy) != CURLM_OK) {
    return Status::internal("cannot start a transfer");
  }
  const ClientOptions& o = x.options;
  const bool streaming = x.callbacks != nullptr;
  const bool head_deadline = streaming && o.timeout.count() > 0;
  const bool notify_idle =
      streaming && x.callbacks->on_idle && x.callbacks->idle_interval.count() > 0;
  const Clock::time_point start = Clock::now();
  Status stopped;  // why we stopped before libcurl finished, if we did
  for (int running = 1;;) {
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
      stopped = Status::internal("the transfer broke");
      break;
    }
    if (running == 0) break;
    const Clock::time_point now = Clock::now();
    milliseconds wait = kLongestWait;
    if (head_deadline && !x.head_done) {
      const auto left = std::chrono::duration_cast<milliseconds>(start + o.timeout - now);
      if (left.count() <= 0) {
        stopped = Status::unavailable(o.peer + " timed out after " + ms_text(o.timeout));
        break;
      }
      wait = std::min(wait, left);
    }
    if (notify_idle && x.head_done) {
      if (now - x.last_activity >= x.callbacks->idle_interval) {
        x.callbacks->on_idle();
        x.last_activity = now;
      }
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(
                                x.last_activity + x.callbacks->idle_interval - now) +
                                milliseconds(1));
    }
    curl_waitfd interrupt{o.interrupt_fd, CURL_WAIT_POLLIN, 0};
    const unsigned extra = o.interrupt_fd >= 0 ? 1 : 0;
    if (curl_multi_poll(multi.get(), extra != 0 ? &interrupt : nullptr, extra,
                        static_cast<int>(std::max<int64_t>(wait.count(), 0)),
                        nullptr) != CURLM_OK) {
      stopped = Status::internal("the transfer broke");
      break;
    }
    if (interrupt.revents != 0) {
      stopped = Status::unavailable("interrupted");
      break;
    }
  }
  CURLcode rc = CURLE_OK;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
    if (msg->msg == CURLMSG_DONE) rc = msg->data.result;
  }
  curl_multi_remove_handle(multi.get(), x.easy);
  if (!stopped.ok()) return stopped;
  if (rc != CURLE_OK) return x.body_failure.ok() ? failure(rc, x) : x.body_failure;
  return {};
}

// Runs `req` under `options`; the head, and the body for fetch(), end up in x.response.
Status run(const ClientRequest& req, Exchange& x) {
  const ClientOptions& o = x.options;
  if (!curl_ready()) return Status::internal("libcurl failed to initialise");
  std::unique_ptr<CURL, EasyFree> easy(curl_easy_init());
  if (!easy) return Status::internal("libcurl failed to initialise");
  x.easy = easy.get();
  CURL* e = easy.get();

  std::unique_ptr<curl_slist, ListFree> headers;
  const auto add = [&headers](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown != nullptr) (void)headers.release();
    headers.reset(grown);
    return grown != nullptr;
  };
  bool content_type = false;
  for (const auto& [name, value] : req.headers) {
    // A CR or LF would end the header and let the value inject others.
    if (name.empty() || has_control(name) || has_control(value)) {
      return Status::invalid_argument("header " + name + ": contains control characters");
    }
    content_type = content_type || core::iequals(name, "content-type");
    if (!add(name + ": " + value)) return Status::internal("out of memory");
  }
  // No "Expect: 100-continue" round trip, and no form content type nobody asked for.
  if (!add("Expect:") || (!content_type && !add("Content-Type:"))) {
    return Status::internal("out of memory");
  }

  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  // threads: no alarm() around name lookups
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x.errbuf);
  curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);  // a proxy's own answer
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, take_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, take_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
  const milliseconds connect = o.connect_timeout.count() > 0 ? o.connect_timeout : o.timeout;
  if (connect.count() > 0) curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, long{connect.count()});
  if (x.callbacks == nullptr && o.timeout.count() > 0) {
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, long{o.timeout.count()});
  }
  if (!o.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, o.ca_file.c_str());
  if (o.redirects == Redirects::kFollow) {
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, kMaxRedirects);
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  if (req.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    if (req.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.data());
  }

  Status s = perform(x);
  if (s.ok() && !x.head_done) {
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    x.response.status = static_cast<int>(status);
    x.head_done = true;
    if (x.callbacks != nullptr && x.callbacks->on_head) x.callbacks->on_head(x.response);
  }
  return s;
}

}  // namespace

std::string ClientResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Client::Client(ClientOptions options) : options_(std::move(options)) {}

Result<ClientResponse> Client::fetch(const ClientRequest& req) const {
  Exchange x{options_, nullptr};
  if (Status s = run(req, x); !s.ok()) return s;
  return std::move(x.response);
}

Status Client::stream(const ClientRequest& req, const StreamCallbacks& callbacks) const {
  Exchange x{options_, &callbacks};
  return run(req, x);
}

Result<std::string> Client::post_json(
    std::string url, std::string body,
    std::vector<std::pair<std::string, std::string>> headers) const {
  headers.emplace_back("Content-Type", "application/json");
  Result<ClientResponse> answer = fetch({.method = "POST",
                                         .url = std::move(url),
                                         .headers = std::move(headers),
                                         .body = std::move(body)});
  if (!answer.ok()) return answer.status();
  if (answer->status < 200 || answer->status > 299) {
    return Status::unavailable(options_.peer + " answered HTTP " + std::to_string(answer->status));
  }
  return std::move(answer->body);
}

}  // namespace gaia::http
