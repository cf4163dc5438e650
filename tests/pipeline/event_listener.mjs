// Connects to navigator's socket.io port with the npm socket.io-client (the one Compass uses) and prints every
// event it receives as one JSON line: {"event": name, "payload": ...}. Prints READY once connected.
// Usage: node event_listener.mjs <url> [jwt]   (with a jwt the socket authenticates as that user)
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const compat = join(dirname(fileURLToPath(import.meta.url)), "..", "compat", "package.json");
const { io } = createRequire(compat)("socket.io-client");

const [url, token] = process.argv.slice(2);
const socket = io(url, { reconnection: false, ...(token ? { auth: { token } } : {}) });
socket.onAny((event, payload) => {
  process.stdout.write(JSON.stringify({ event, payload }) + "\n");
});
socket.on("connect", () => process.stdout.write("READY\n"));
socket.on("connect_error", (err) => {
  process.stderr.write(`connect_error ${err.message}\n`);
  process.exit(2);
});
socket.on("disconnect", (reason) => {
  process.stdout.write(JSON.stringify({ event: "disconnect", payload: { reason } }) + "\n");
  process.exit(0);
});
