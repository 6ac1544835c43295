#include "frontdoor/http/server.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>
#include <vector>

#include "frontdoor/common/log.hpp"
#include "frontdoor/common/threads.hpp"

namespace frontdoor::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

class Session;

// A parse error in the request itself, as opposed to the peer going away.
bool is_malformed_http(const beast::error_code& ec) {
  const auto& http_category = bhttp::make_error_code(bhttp::error::bad_method).category();
  return ec.category() == http_category && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

// RFC 9112 6.1, 6.3 and 3.2: a body is framed by one final "chunked" coding or
// by Content-Length, never both and never by anything else; an HTTP/1.1 request
// names exactly one Host. Beast alone would read a body under an unknown coding
// as empty and parse it as the next request, which lets a client smuggle one
// request inside another behind a proxy that frames it differently.
bool has_trustworthy_framing(const bhttp::request_header<>& head) {
  std::vector<std::string> codings;
  bool transfer_encoding = false;
  const auto [first, last] = head.equal_range(bhttp::field::transfer_encoding);
  for (auto field = first; field != last; ++field) {
    transfer_encoding = true;
    std::string_view list = field->value();
    while (!list.empty()) {
      const auto comma = list.find(',');
      auto item = list.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      codings.emplace_back(item);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
  }
  if (transfer_encoding) {
    if (codings.size() != 1 || !beast::iequals(codings.front(), "chunked")) return false;
    if (head.count(bhttp::field::content_length) > 0) return false;
  }
  const auto hosts = head.count(bhttp::field::host);
  if (head.version() >= 11 ? hosts != 1 : hosts > 1) return false;
  if (hosts == 1) {
    for (const unsigned char c : head[bhttp::field::host]) {
      if (c <= 0x20 || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\') {
        return false;
      }
    }
  }
  return true;
}

// One io_context per I/O thread, each run by that thread alone. A connection
// lives on one of them, so its handlers never run concurrently and need no
// strand, and the threads share no scheduler lock.
std::vector<std::unique_ptr<asio::io_context>> make_io_contexts(int count) {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int i = 0; i < std::max(count, 1); ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  return contexts;
}

struct Server::Impl {
  Impl(ServerOptions server_options, ServerHooks server_hooks)
      : options(std::move(server_options)),
        hooks(std::move(server_hooks)),
        workers(static_cast<std::size_t>(options.worker_threads)),
        contexts(make_io_contexts(options.io_threads)),
        acceptor(contexts.front()->get_executor()) {
    for (auto& context : contexts) keep_running.emplace_back(context->get_executor());
  }

  // New connections are spread over the I/O threads in turn.
  asio::io_context& next_io() { return *contexts[next_context++ % contexts.size()]; }

  void accept();
  void track(const std::shared_ptr<Session>& session);
  void forget(Session* session);
  void request_started();
  void request_finished();

  ServerOptions options;
  ServerHooks hooks;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> in_flight{0};

  std::mutex sessions_mutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::mutex drain_mutex;
  std::condition_variable drained;
  std::once_flag shutdown_once;

  // Destroyed before the bookkeeping above, so sessions can still deregister.
  asio::thread_pool workers;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::atomic<std::size_t> next_context{0};
  // Keeps each run() going while a request is on a worker and no I/O is pending
  // (during a drain the acceptor is closed): its response still has to be written.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  tcp::acceptor acceptor;
  std::vector<std::thread> io_threads;
  std::uint16_t bound_port = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server)
      : stream_(std::move(socket)),
        // Room for a full request head plus some pipelined bytes; never unbounded.
        buffer_(server.options.header_limit + std::size_t{64} * 1024),
        server_(server) {}

  ~Session() { server_.forget(this); }

  void start() {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->wait_for_request(); });
  }

  // Called on shutdown: a connection idle between requests is closed now, a busy
  // one after its response. A connection that has not sent its first request yet
  // may be sending it right now: it is served once (with Connection: close).
  void stop_when_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_ && self->served_any_) self->close();
    });
  }

  // Accepted, but its first request has not arrived yet.
  bool awaiting_first_request() const { return !served_any_; }

 private:
  // Between requests a connection may idle for idle_timeout; once the first
  // byte arrives the whole request must follow within read_timeout.
  void wait_for_request() {
    if (server_.stopping) return close();
    if (buffer_.size() > 0) return read_request();
    stream_.expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->read_request();
                            });
  }

  void read_request() {
    parser_.emplace();
    parser_->body_limit(server_.options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    stream_.expires_after(server_.options.read_timeout);
    // The head first: its framing is checked before a single body byte is read,
    // so bytes that one reading would call a body never become a second request.
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code header_error) {
    if (header_error) return on_read(header_error);
    if (!has_trustworthy_framing(parser_->get())) return reject(400);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      return reject(431);
    }
    if (ec == bhttp::error::body_limit) return reject(413);
    // On a timeout beast::tcp_stream has closed the socket already: a slow
    // client is simply disconnected.
    if (is_malformed_http(ec)) return reject(400);
    if (ec) return close();
    busy_ = true;
    served_any_ = true;
    server_.request_started();
    auto request = std::make_shared<Request>(to_request(parser_->release()));
    if (server_.hooks.never_blocks && server_.hooks.never_blocks(*request)) {
      return write(*request, server_.hooks.handle(*request), keep_alive_);
    }
    if (server_.hooks.is_async && server_.hooks.is_async(*request)) {
      // A coroutine on this I/O thread: it awaits the database without parking
      // the thread, and its answer is written here.
      asio::co_spawn(
          stream_.get_executor(),
          [self = shared_from_this(), request]() -> asio::awaitable<void> {
            auto response = co_await self->server_.hooks.handle_async(*request);
            self->write(*request, response, self->keep_alive_);
          },
          asio::detached);
      return;
    }
    asio::post(server_.workers, [self = shared_from_this(), request] {
      auto response = std::make_shared<Response>(self->server_.hooks.handle(*request));
      asio::post(self->stream_.get_executor(), [self, request, response] {
        self->write(*request, *response, self->keep_alive_);
      });
    });
  }

  Request to_request(bhttp::request<bhttp::string_body>&& message) {
    Request request;
    request.received_at = std::chrono::steady_clock::now();
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.remote_address = remote_address_;
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    keep_alive_ = message.keep_alive();
    request.body = std::move(message.body());
    // Behind a trusted load balancer, the client is the one it names.
    if (!server_.options.trusted_proxies.empty()) {
      request.remote_address = server_.options.trusted_proxies.client_address(
          remote_address_, request.header("x-forwarded-for"));
    }
    return request;
  }

  // Answers a request refused while reading, then closes: the rest of the
  // stream cannot be trusted to be framed correctly.
  void reject(int status) {
    Request request;
    request.received_at = std::chrono::steady_clock::now();
    request.remote_address = remote_address_;
    if (parser_ && parser_->is_header_done()) {
      const auto& head = parser_->get();
      request.method = std::string(head.method_string());
      if (auto id = head.find("x-request-id"); id != head.end()) {
        request.headers.emplace_back("x-request-id", std::string(id->value()));
      }
    }
    busy_ = true;
    server_.request_started();
    write(request, server_.hooks.reject(request, status), false);
  }

  void write(const Request& request, const Response& response, bool keep_alive) {
    if (response.drop_connection) {
      busy_ = false;
      server_.request_finished();
      return close();
    }
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers) message->set(name, value);
    if (!response.content_type.empty())
      message->set(bhttp::field::content_type, response.content_type);
    if (!request.request_id.empty()) message->set("X-Request-Id", request.request_id);
    message->keep_alive(keep_alive && !server_.stopping);
    if (request.method == "HEAD") {
      // What GET would send, without the body (RFC 9110 9.3.2).
      message->content_length(response.body.size());
    } else {
      message->body() = response.body;
      message->prepare_payload();
    }
    // A client that will not read its response must not hold the connection forever.
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
                         self->busy_ = false;
                         self->server_.request_finished();
                         if (ec || !message->keep_alive()) return self->close();
                         self->wait_for_request();
                       });
  }

  void close() {
    served_any_ = true;  // nothing more will come from this connection
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl& server_;
  std::string remote_address_;
  bool busy_ = false;
  bool keep_alive_ = true;
  std::atomic<bool> served_any_{false};
};

void Server::Impl::accept() {
  acceptor.async_accept(next_io(), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (!ec) {
      auto session = std::make_shared<Session>(std::move(socket), *this);
      track(session);
      session->start();
    } else if (ec != asio::error::operation_aborted) {
      common::log::warn("accept failed", {{"internal", ec.message()}});
    }
    accept();
  });
}

void Server::Impl::track(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mutex);
  sessions.emplace(session.get(), session);
}

void Server::Impl::forget(Session* session) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(session);
}

void Server::Impl::request_started() { ++in_flight; }

void Server::Impl::request_finished() {
  if (--in_flight == 0) {
    std::lock_guard lock(drain_mutex);
    drained.notify_all();
  }
}

Server::Server(ServerOptions options, ServerHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(hooks))) {}

// A destructor must not throw: a failed drain is logged, and the process goes on
// to exit as it would have.
Server::~Server() {
  try {
    shutdown();
  } catch (const std::exception& error) {
    common::log::error("shutdown failed", {{"internal", error.what()}});
  }
}

void Server::start() {
  auto& impl = *impl_;
  const tcp::endpoint endpoint(asio::ip::make_address(impl.options.address), impl.options.port);
  impl.acceptor.open(endpoint.protocol());
  impl.acceptor.set_option(asio::socket_base::reuse_address(true));
  impl.acceptor.bind(endpoint);
  impl.acceptor.listen(asio::socket_base::max_listen_connections);
  impl.bound_port = impl.acceptor.local_endpoint().port();
  impl.accept();
  for (auto& context : impl.contexts) {
    impl.io_threads.emplace_back([&io = *context, &hooks = impl.hooks] {
      common::mark_io_thread();
      if (hooks.on_io_thread_start) hooks.on_io_thread_start(io);
      io.run();
    });
  }
}

std::uint16_t Server::port() const { return impl_->bound_port; }

void Server::shutdown() {
  auto& impl = *impl_;
  std::call_once(impl.shutdown_once, [&impl] {
    impl.stopping = true;
    // Connections the kernel already completed are taken and served once before
    // the listening socket closes: closing it would reset them mid-request.
    // Later ones are refused, which a client knows is safe to retry.
    auto closed = std::make_shared<std::promise<void>>();
    asio::post(impl.acceptor.get_executor(), [&impl, closed] {
      beast::error_code ec;
      impl.acceptor.non_blocking(true, ec);
      while (!ec) {
        tcp::socket socket(impl.next_io());
        impl.acceptor.accept(socket, ec);
        if (ec) break;
        auto session = std::make_shared<Session>(std::move(socket), impl);
        impl.track(session);
        session->start();
      }
      impl.acceptor.close(ec);
      closed->set_value();
    });
    closed->get_future().wait_for(std::chrono::seconds(1));
    // Take strong references under the lock and use them after it: the last
    // reference to a session may be dropped here, and ~Session takes the lock.
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(impl.sessions_mutex);
      for (auto& [raw, weak] : impl.sessions) {
        if (auto session = weak.lock()) live.push_back(std::move(session));
      }
    }
    for (auto& session : live) session->stop_when_idle();
    live.clear();
    {
      // Done when no request is in flight and no fresh connection is still to send one
      // (those get at most a second).
      const auto started = std::chrono::steady_clock::now();
      const auto awaited = [&impl] {
        std::lock_guard lock(impl.sessions_mutex);
        for (auto& [raw, weak] : impl.sessions) {
          if (auto session = weak.lock(); session && session->awaiting_first_request()) return true;
        }
        return false;
      };
      bool drained = false;
      while (std::chrono::steady_clock::now() - started < impl.options.drain_timeout) {
        const bool fresh_waiting =
            std::chrono::steady_clock::now() - started < std::chrono::seconds(1) && awaited();
        if (impl.in_flight == 0 && !fresh_waiting) {
          drained = true;
          break;
        }
        std::unique_lock lock(impl.drain_mutex);
        impl.drained.wait_for(lock, std::chrono::milliseconds(10));
      }
      if (!drained) {
        common::log::warn("drain timeout: closing with requests in flight",
                          {{"in_flight", impl.in_flight.load()}});
      }
    }
    for (auto& guard : impl.keep_running) guard.reset();
    for (auto& context : impl.contexts) context->stop();
    for (auto& thread : impl.io_threads) {
      if (thread.joinable()) thread.join();
    }
    impl.workers.join();
  });
}

namespace {

sigset_t drain_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void Server::hold_signals() {
  const auto set = drain_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void Server::run_until_signalled(const std::function<void()>& on_notice) {
  asio::io_context signal_io;
  asio::signal_set signals(signal_io, SIGINT, SIGTERM);
  // Asio's handler is installed: a signal held since start-up arrives now, on
  // this thread (every other thread keeps them blocked).
  const auto set = drain_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  asio::steady_timer notice(signal_io);
  signals.async_wait([&](beast::error_code, int signal_number) {
    common::log::info("signal received: draining",
                      {{"signal", signal_number},
                       {"notice_ms", static_cast<long long>(impl_->options.drain_notice.count())}});
    if (on_notice) on_notice();
    // Requests are still served and connections kept while the load balancer's
    // health checks see 503; a second signal ends the notice at once.
    notice.expires_after(impl_->options.drain_notice);
    notice.async_wait([&](beast::error_code) { signals.cancel(); });
    signals.async_wait([&](beast::error_code ec, int) {
      if (!ec) notice.cancel();
    });
  });
  signal_io.run();
  shutdown();
}

}  // namespace frontdoor::http
