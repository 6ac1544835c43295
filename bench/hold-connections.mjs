// Opens N keep-alive connections to HOST:PORT, sends one GET /healthz on each,
// keeps them open and idle, prints "ready" and waits to be killed.
// usage: node hold-connections.mjs PORT N
import net from "node:net";

const [port, count] = process.argv.slice(2).map(Number);
const sockets = [];
let answered = 0;
for (let i = 0; i < count; i++) {
  const socket = net.connect(port, "127.0.0.1", () => {
    socket.write("GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n");
  });
  socket.once("data", () => {
    if (++answered === count) console.log("ready");
  });
  socket.on("error", (error) => {
    console.error(`connection ${i}: ${error.message}`);
    process.exit(1);
  });
  sockets.push(socket);
}
setInterval(() => {}, 1 << 30);
