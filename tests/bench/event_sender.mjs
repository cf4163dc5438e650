// A bare socket.io server for pipeline_bench.mjs: Engine.IO v4 over WebSocket written by hand on the `ws`
// package (no socket.io server library, no work per event), so that the bench can time its own socket.io
// client receiving an event from another process, as it receives navigator's task-finished.
// Once a client has joined the default namespace it sends `count` task-finished events, one every
// `intervalMs`, each stamped with its send time on the machine-wide monotonic clock (process.hrtime).
// Usage: node tests/bench/event_sender.mjs [count=30] [intervalMs=100]; prints "PORT <n>" when listening.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { WebSocketServer } = createRequire(join(here, "..", "compat", "package.json"))("ws");
const [count = 30, intervalMs = 100] = process.argv.slice(2).map(Number);

const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
server.on("listening", () => console.log(`PORT ${server.address().port}`));
server.on("connection", (ws) => {
  ws.send(`0${JSON.stringify({ sid: "sender", upgrades: [], pingInterval: 60000, pingTimeout: 60000, maxPayload: 1e6 })}`);
  ws.on("message", (data) => {
    if (!String(data).startsWith("40")) return; // the namespace connect; nothing else is expected
    ws.send(`40${JSON.stringify({ sid: "sender-ns" })}`);
    let sent = 0;
    const timer = setInterval(() => {
      // About the size of navigator's task-finished payload; the stamp is taken right before the send.
      const payload = JSON.stringify({
        job_id: `e${sent}`, status: "finished", task_type: "txt2img", queue_position: 0, seed: 1234567890,
        img_path: `/api/images/e${sent}`, progress_path: `/api/previews/e${sent}`, origin: null,
      });
      ws.send(`42["task-finished",${payload.slice(0, -1)},"sent_ns":"${process.hrtime.bigint()}"}]`);
      if (++sent === count) clearInterval(timer);
    }, intervalMs);
  });
});
