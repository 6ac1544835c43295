#include "smtp.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <istream>
#include <mutex>
#include <thread>

namespace bmx_sandbox {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::size_t kMaxMessageBytes = 10 << 20;

std::string upper_verb(const std::string& line) {
  std::string verb = line.substr(0, line.find_first_of(" :"));
  std::transform(verb.begin(), verb.end(), verb.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return verb;
}

// The address between < and > in "MAIL FROM:<a@b>".
std::string address_in(const std::string& line) {
  const auto open = line.find('<');
  const auto close = line.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return line.substr(open + 1, close - open - 1);
}

}  // namespace

struct SmtpListener::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  OnMessage on_message;
  std::thread accept_thread;
  std::mutex mutex;
  std::vector<std::thread> sessions;
  bool stopping = false;

  void accept_loop() {
    while (true) {
      tcp::socket socket(io);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      std::lock_guard lock(mutex);
      if (stopping) return;
      if (ec) continue;
      sessions.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  void serve(tcp::socket socket) {
    // A silent client is dropped rather than holding a thread forever.
    timeval timeout{30, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    asio::streambuf buffer;
    boost::system::error_code ec;
    const auto reply = [&](const std::string& text) {
      asio::write(socket, asio::buffer(text + "\r\n"), ec);
    };
    const auto read_line = [&](std::string& line) {
      asio::read_until(socket, buffer, "\r\n", ec);
      if (ec) return false;
      std::istream stream(&buffer);
      std::getline(stream, line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    };
    reply("220 bmx-sandbox ESMTP");
    std::string from;
    std::vector<std::string> recipients;
    std::string line;
    while (!ec && read_line(line)) {
      const auto verb = upper_verb(line);
      if (verb == "EHLO") {
        reply("250-bmx-sandbox");
        reply("250-8BITMIME");
        reply("250 SIZE 10485760");
      } else if (verb == "HELO" || verb == "NOOP") {
        reply("250 OK");
      } else if (verb == "MAIL") {
        from = address_in(line);
        recipients.clear();
        reply("250 OK");
      } else if (verb == "RCPT") {
        recipients.push_back(address_in(line));
        reply("250 OK");
      } else if (verb == "RSET") {
        from.clear();
        recipients.clear();
        reply("250 OK");
      } else if (verb == "DATA") {
        if (recipients.empty()) {
          reply("503 RCPT first");
          continue;
        }
        reply("354 End data with <CR><LF>.<CR><LF>");
        std::string data;
        while (read_line(line) && line != ".") {
          // Undo the sender's dot-stuffing.
          if (!line.empty() && line[0] == '.') line.erase(0, 1);
          data += line + "\n";
          if (data.size() > kMaxMessageBytes) break;
        }
        if (ec || data.size() > kMaxMessageBytes) break;
        on_message(from, recipients, data);
        reply("250 OK queued");
      } else if (verb == "QUIT") {
        reply("221 Bye");
        break;
      } else {
        reply("502 Command not implemented");
      }
    }
    socket.close(ec);
  }
};

SmtpListener::SmtpListener(const std::string& address, std::uint16_t port, OnMessage on_message)
    : impl_(std::make_unique<Impl>()) {
  impl_->on_message = std::move(on_message);
  const tcp::endpoint endpoint(asio::ip::make_address(address), port);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
}

SmtpListener::~SmtpListener() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  boost::system::error_code ignored;
  // Wakes the blocking accept.
  impl_->acceptor.cancel(ignored);
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->accept_thread.join();
  impl_->acceptor.close(ignored);
  for (auto& session : impl_->sessions) session.join();
}

std::uint16_t SmtpListener::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace bmx_sandbox
