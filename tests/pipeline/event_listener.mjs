// Connects to navigator's socket.io port with the npm socket.io-client (the one Compass uses) and prints every
// event it receives as one JSON line: {"event": name, "payload": ...}. Prints READY once connected.
// Usage: node event_listener.mjs <url> [jwt]   (with a jwt the socket authenticates as that user)
// With NAVIGATOR_PREVIEW_BASE=<http base> set, every task-progress that carries a progress_path has it fetched
// at once, as Compass does, and the answer printed as {"event": "preview-fetched", "payload": {job_id, status}}.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const compat = join(dirname(fileURLToPath(import.meta.url)), "..", "compat", "package.json");
const { io } = createRequire(compat)("socket.io-client");

const [url, token] = process.argv.slice(2);
const socket = io(url, { reconnection: false, ...(token ? { auth: { token } } : {}) });
const previewBase = process.env.NAVIGATOR_PREVIEW_BASE;
socket.onAny((event, payload) => {
  process.stdout.write(JSON.stringify({ event, payload }) + "\n");
  if (previewBase && event === "task-progress" && payload && payload.progress_path) {
    fetch(previewBase + payload.progress_path)
      .then(async (reply) => {
        await reply.arrayBuffer();
        return reply.status;
      }, () => 0)
      .then((status) => {
        const result = { event: "preview-fetched", payload: { job_id: payload.job_id, status } };
        process.stdout.write(JSON.stringify(result) + "\n");
      });
  }
});
socket.on("connect", () => process.stdout.write("READY\n"));
socket.on("connect_error", (err) => {
  process.stderr.write(`connect_error ${err.message}\n`);
  process.exit(2);
});
socket.on("disconnect", () => process.exit(0));
