// Realtime benchmark: N concurrent socket.io-client@4 clients against rt-testserver, per transport mode
// (polling only; default = polling then upgrade to websocket; websocket only). Prints the time to connect
// them all, the per-client connect time, the delivery latency of an event broadcast to all of them (median
// and p99 over several rounds), and the server's RSS with 0 and N clients. Figures only, no assertions.
//
// Usage: RT_TESTSERVER=build/bin/rt-testserver node tests/bench/realtime_bench.mjs [clients] [rounds]
// (cmake --build build --target bench_realtime runs it with 1000 clients.)
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { startServer, emit, clientCount, waitUntil, loadClient } from "../compat/rtserver.mjs";

const clients = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 20);
const { io } = loadClient();

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return (Number(m[1]) / 1024).toFixed(1);
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;

async function runMode(name, options) {
  const server = await startServer(["--max-sessions", String(clients * 2)]);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const rss0 = rssMiB(server.child.pid);
    const sockets = [];
    const connectTimes = [];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, () => {
        const t0 = performance.now();
        const socket = io(server.url, { forceNew: true, reconnection: false, ...options });
        sockets.push(socket);
        return new Promise((resolve, reject) => {
          socket.once("connected", () => {
            connectTimes.push(performance.now() - t0);
            resolve();
          });
          socket.once("connect_error", reject);
        });
      })
    );
    const connectAll = performance.now() - start;
    if (options.upgrade !== false && !options.transports) {
      await waitUntil(() => sockets.every((s) => s.io.engine.transport.name === "websocket"), 60000, "upgrades");
    }
    await waitUntil(async () => (await clientCount(server)) === clients, 30000, "server client count");
    const rssN = rssMiB(server.child.pid);

    const latencies = [];
    const roundTimes = [];
    for (let round = 0; round < rounds; round++) {
      let pending = clients;
      let sentAt = 0;
      const done = new Promise((resolve) => {
        for (const socket of sockets) {
          socket.once("bench", () => {
            latencies.push(performance.now() - sentAt);
            if (--pending === 0) resolve();
          });
        }
      });
      sentAt = performance.now();
      await emit(server, { to: "all", event: "bench", payload: { round } });
      await done;
      roundTimes.push(performance.now() - sentAt);
    }
    latencies.sort((a, b) => a - b);
    connectTimes.sort((a, b) => a - b);
    roundTimes.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(22)} connect all ${fmt(connectAll)} | per client median ${fmt(quantile(connectTimes, 0.5))}` +
        ` p99 ${fmt(quantile(connectTimes, 0.99))} | delivery median ${fmt(quantile(latencies, 0.5))}` +
        ` p99 ${fmt(quantile(latencies, 0.99))} (last client: median ${fmt(quantile(roundTimes, 0.5))})` +
        ` | server RSS ${rss0} MiB at 0, ${rssN} MiB at ${clients}`
    );
    sockets.forEach((s) => s.close());
  } finally {
    await server.stop();
  }
}

console.log(`realtime bench: ${clients} clients, ${rounds} broadcast rounds per mode (one Node client process)`);
await runMode("polling only", { transports: ["polling"] });
await runMode("polling -> websocket", {});
await runMode("websocket only", { transports: ["websocket"] });
process.exit(0);
