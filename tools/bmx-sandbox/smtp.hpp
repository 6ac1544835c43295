#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bmx_sandbox {

// A small SMTP server (HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) so that
// frontdoor's real SMTP gateway has something to talk to. Each connection gets
// a thread; every accepted message is handed to `on_message`.
class SmtpListener {
 public:
  using OnMessage =
      std::function<void(const std::string& from, const std::vector<std::string>& recipients,
                         const std::string& data)>;
  SmtpListener(const std::string& address, std::uint16_t port, OnMessage on_message);
  ~SmtpListener();
  SmtpListener(const SmtpListener&) = delete;
  SmtpListener& operator=(const SmtpListener&) = delete;

  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bmx_sandbox
