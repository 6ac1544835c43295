#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "frontdoor/http/message.hpp"
#include "frontdoor/http/trusted_proxies.hpp"

namespace boost::asio {
class io_context;
}

namespace frontdoor::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t body_limit = 1 << 20;
  std::size_t header_limit = 16 << 10;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds drain_timeout{10000};
  // On SIGTERM, how long the instance keeps serving (and saying it is not ready)
  // before it stops accepting: a load balancer's health check notices first.
  std::chrono::milliseconds drain_notice{5000};
  int io_threads = 1;
  int worker_threads = 8;
  // Peers whose X-Forwarded-For names the client (Request::remote_address).
  TrustedProxies trusted_proxies;
};

struct ServerHooks {
  // Answers each well-formed request; must not throw. Runs on a worker thread,
  // or on the I/O thread when never_blocks says the request may.
  std::function<Response(Request&)> handle;
  // True when handle() will answer this request without waiting on anything.
  // Optional: without it every request goes to a worker.
  std::function<bool(Request&)> never_blocks;
  // Builds the answer to a request the server refused before routing (413, 431, 400).
  std::function<Response(Request&, int status)> reject;
  // Routes answered by a coroutine on the I/O thread (asked after never_blocks).
  std::function<bool(Request&)> is_async;
  std::function<boost::asio::awaitable<Response>(Request&)> handle_async;
  // Runs on each I/O thread as it starts, before it serves anyone (the
  // asynchronous database opens that thread's connections here).
  std::function<void(boost::asio::io_context&)> on_io_thread_start;
};

// HTTP/1.1 server on Boost.Beast. Each connection reads one request at a time
// (so pipelined requests queue in a bounded buffer), with a header limit, a body
// limit, an idle timeout between requests and a read timeout within one.
// Handlers that may wait run on a worker pool; the few that never wait (see
// ServerHooks::never_blocks) run on the I/O thread that read the request.
class Server {
 public:
  Server(ServerOptions options, ServerHooks hooks);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the I/O and worker threads. Throws if the address is taken.
  void start();
  std::uint16_t port() const;

  // Stops accepting, closes idle connections, lets in-flight requests finish
  // (up to drain_timeout), then stops every thread. Safe to call twice.
  void shutdown();
  // Blocks until SIGTERM or SIGINT arrives, then shuts down.
  // Waits for SIGTERM or SIGINT, calls `on_notice` (the instance now reports it
  // is draining), keeps serving for drain_notice (a second signal cuts it short),
  // then shuts down.
  void run_until_signalled(const std::function<void()>& on_notice = {});
  // Holds SIGTERM and SIGINT pending on the calling thread and every thread it
  // starts from now on, until run_until_signalled is listening for them: a
  // signal sent while the process starts up (a deploy that changes its mind) is
  // then drained like any other instead of killing the process. Call first
  // thing in main, before any thread exists.
  static void hold_signals();

  // Defined in server.cpp; public only so that connection sessions can reach it.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontdoor::http
