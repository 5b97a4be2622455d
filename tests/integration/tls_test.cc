// HTTPS on the server itself: the openssl CLI makes a self-signed certificate for 127.0.0.1,
// the real gaia_server serves with it (GAIA_TLS_CERT, GAIA_TLS_KEY), and curl and a WebSocket
// client that trust only that certificate talk to it. A certificate or key that cannot be
// used stops the server at start with an error naming the file.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/gaia_server_test.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "tls-test-admin-key-0123456789abcdef0123";

// A self-signed certificate for 127.0.0.1 and its key, as PEM files.
void make_certificate(const std::string& cert, const std::string& key) {
  const CliRun made =
      run_program("/usr/bin/openssl",
                  {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                   "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert},
                  {});
  ASSERT_EQ(made.exit_code, 0) << made.err;
}

class TlsTest : public GaiaServerTest {
 protected:
  TlsTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override { make_certificate(cert_, key_); }

  std::vector<std::string> tls_env() const {
    return {"GAIA_TLS_CERT=" + cert_, "GAIA_TLS_KEY=" + key_};
  }

  // curl trusting only the test's certificate; `args` end with the URL.
  CliRun curl(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--silent", "--show-error", "--max-time", "10", "--cacert", cert_,
                               "--write-out", "\n%{http_code}"});
    return run_program("/usr/bin/curl", args, {});
  }

  std::string https(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Starts the server with `env` added to what GaiaServerTest gives, expecting it to fail:
  // its exit code, its error output in `err`.
  int start_failing(const std::vector<std::string>& env, std::string& err) {
    std::vector<std::string> all = {"DATABASE_URL=sqlite:" + db_path(),
                                    "GAIA_ADMIN_KEY=" + admin_key_, "PORT=0"};
    all.insert(all.end(), env.begin(), env.end());
    add_idle_proc_root(all, dir_);
    ServerProcess server({}, all);
    const int code = server.wait_exit();
    err = server.stderr_;
    return code;
  }

  const std::string cert_ = dir_.file("cert.pem");
  const std::string key_ = dir_.file("key.pem");
};

TEST_F(TlsTest, ServesHealthAndAuthenticatedRequestsOverHttps) {
  start(tls_env());
  const CliRun health = curl({https("/health")});
  ASSERT_EQ(health.exit_code, 0) << health.err;
  EXPECT_NE(health.out.find("\"status\":\"ok\""), std::string::npos) << health.out;
  EXPECT_TRUE(health.out.ends_with("\n200")) << health.out;

  const CliRun admin =
      curl({"-H", "Authorization: Bearer " + kAdminKey, https("/api/admin/quotas/config")});
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  EXPECT_TRUE(admin.out.ends_with("\n200")) << admin.out;

  const CliRun anonymous = curl({https("/api/admin/quotas/config")});
  ASSERT_EQ(anonymous.exit_code, 0) << anonymous.err;
  EXPECT_TRUE(anonymous.out.ends_with("\n401")) << anonymous.out;
  stop();
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortGetsNoAnswer) {
  start(tls_env());
  const CliRun plain = curl({"http://127.0.0.1:" + std::to_string(port_) + "/health"});
  EXPECT_NE(plain.exit_code, 0) << plain.out;
  // The server goes on serving TLS.
  EXPECT_EQ(curl({https("/health")}).exit_code, 0);
  stop();
}

TEST_F(TlsTest, ServesTheLiveFeedOverWss) {
  start(tls_env());
  const CliRun ws = run_program("/usr/bin/python3",
                                {GAIA_WSS_HELLO, std::to_string(port_), cert_, kAdminKey}, {});
  ASSERT_EQ(ws.exit_code, 0) << ws.err;
  EXPECT_TRUE(ws.out.starts_with("HTTP/1.1 101")) << ws.out;
  EXPECT_NE(ws.out.find("\"type\":\"hello\""), std::string::npos) << ws.out;
  stop();
}

TEST_F(TlsTest, TheSessionCookieIsSecureOverHttps) {
  start(tls_env());
  const std::string body = "{\"key\":\"" + kAdminKey + "\"}";
  const CliRun in = curl({"--include", "-X", "POST", "-H", "Content-Type: application/json",
                          "--data", body, https("/api/admin/session")});
  ASSERT_EQ(in.exit_code, 0) << in.err;
  EXPECT_TRUE(in.out.ends_with("\n204")) << in.out;
  EXPECT_NE(in.out.find("gaia_session="), std::string::npos) << in.out;
  EXPECT_NE(in.out.find("; Secure"), std::string::npos) << in.out;

  const CliRun out = curl({"--include", "-X", "DELETE", https("/api/admin/session")});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("Max-Age=0; Secure"), std::string::npos) << out.out;
  stop();
}

TEST_F(TlsTest, AMissingCertificateStopsTheStartNamingIt) {
  std::string err;
  const int code =
      start_failing({"GAIA_TLS_CERT=" + dir_.file("absent.pem"), "GAIA_TLS_KEY=" + key_}, err);
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("cannot read the TLS certificate " + dir_.file("absent.pem")),
            std::string::npos)
      << err;
}

TEST_F(TlsTest, AKeyOfAnotherCertificateStopsTheStart) {
  const std::string other_cert = dir_.file("other-cert.pem");
  const std::string other_key = dir_.file("other-key.pem");
  make_certificate(other_cert, other_key);
  std::string err;
  const int code = start_failing({"GAIA_TLS_CERT=" + cert_, "GAIA_TLS_KEY=" + other_key}, err);
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("TLS private key " + other_key), std::string::npos) << err;
  EXPECT_NE(err.find("mismatch"), std::string::npos) << err;
}

TEST_F(TlsTest, ACertificateWithoutAKeyStopsTheStart) {
  std::string err;
  const int code = start_failing({"GAIA_TLS_CERT=" + cert_}, err);
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("TLS needs both a certificate and a private key"), std::string::npos) << err;
}

}  // namespace
}  // namespace gaia::testing
