#pragma once

// A small blocking HTTP/1.1 client for the integration tests (libcurl, one keep-alive
// connection per client), plus a raw-socket exchange for requests curl refuses to send.

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace automation::testing {

using Headers = std::vector<std::string>;  // "Name: value" lines

struct HttpResponse {
  long status = 0;  // 0 when no response arrived (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string error;                           // transport error, "" when a response arrived

  // The body parsed as JSON; a test failure (exception) when it is not JSON.
  nlohmann::json json() const;
  // Header value, "" when absent.
  std::string header(std::string_view name) const;
};

// How an https:// client checks the server: against a CA file (the test's self-signed
// certificate), or not at all (`insecure`, like curl -k).
struct ClientTls {
  std::string ca_file;
  bool insecure = false;
};

class HttpClient {
 public:
  explicit HttpClient(std::string base_url, ClientTls tls = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends "Content-Type: application/json" unless `headers` name a Content-Type of their own
  // (a bare "Content-Type:" line sends none at all).
  HttpResponse request(std::string_view method, std::string_view path, std::string_view body = {},
                       const Headers& headers = {});
  HttpResponse get(std::string_view path, const Headers& headers = {}) {
    return request("GET", path, {}, headers);
  }
  // The body verbatim (which need not be JSON).
  HttpResponse post_raw(std::string_view path, std::string_view body, const Headers& headers = {}) {
    return request("POST", path, body, headers);
  }
  HttpResponse post(std::string_view path, const nlohmann::json& body,
                    const Headers& headers = {}) {
    return request("POST", path, body.dump(), headers);
  }
  HttpResponse put(std::string_view path, const nlohmann::json& body, const Headers& headers = {}) {
    return request("PUT", path, body.dump(), headers);
  }
  HttpResponse del(std::string_view path, const Headers& headers = {}) {
    return request("DELETE", path, {}, headers);
  }

 private:
  std::string base_url_;
  ClientTls tls_;
  void* curl_;  // CURL*
};

// {"X-API-KEY: <key>"}.
Headers api_key(const std::string& key);

// application/x-www-form-urlencoded encoding of `fields` in order, as browsers and Python's
// requests.post(url, data={...}) send it: unreserved bytes as they are, ' ' as '+', the rest %XX.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// Many requests at once, each on its own connection (curl multi); responses in request order.
// `on_first_response` (optional) runs once, as soon as the first response is complete.
struct PendingRequest {
  std::string method;
  std::string path;
  std::string body;
  Headers headers;
};
std::vector<HttpResponse> request_concurrently(const std::string& base_url,
                                               const std::vector<PendingRequest>& requests,
                                               const std::function<void()>& on_first_response = {});

// Sends `bytes` verbatim on a fresh TCP connection to 127.0.0.1:port and returns everything
// the server sends back until it closes the connection or `timeout` passes ("" if nothing).
// Send "Connection: close" in well-formed requests, or this waits for the timeout.
std::string raw_exchange(int port, std::string_view bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace automation::testing
