// Realtime benchmark: N concurrent socket.io-client@4 clients against rt-testserver, per transport mode
// (polling only; default = polling then upgrade to websocket; websocket only). Prints the time to connect
// them all, the per-client connect time, the delivery latency of an event broadcast to all of them (median
// and p99 over several rounds), and the server's RSS with 0 and N clients. Figures only, no assertions. The
// in-run baseline is Qt's own QWebSocketServer with nothing on top (tests/bench/bare_websocket_server.cpp, in
// BARE_WEBSOCKET_SERVER) and N plain `ws` clients: the memory per client a server built on QWebSocket starts from.
// With BASELINE_BIN_DIR (the bin/ of a build of an older commit) every mode also runs against that build's
// rt-testserver, before and after this one, and prints the ratio of the memory per client.
//
// Usage: RT_TESTSERVER=build/bin/rt-testserver node tests/bench/realtime_bench.mjs [clients] [rounds]
// (cmake --build build --target bench_realtime runs it with 1000 clients.)
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { startServer, emit, clientCount, waitUntil, loadClient } from "../compat/rtserver.mjs";

const clients = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 20);
const { io } = loadClient();

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return (Number(m[1]) / 1024).toFixed(1);
}

const perClientKiB = (rss0, rssN) => (((Number(rssN) - Number(rss0)) * 1024) / clients).toFixed(1);

// CPU time (user + system) the process has used, in ms: the connect figure also depends on the one Node
// process that plays all the clients, so the server's own share is printed next to it.
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;

const baselineDir = process.env.BASELINE_BIN_DIR ? resolve(process.env.BASELINE_BIN_DIR) : null;
const baselineServer = baselineDir ? join(baselineDir, "rt-testserver") : null;
if (baselineServer && !existsSync(baselineServer)) throw new Error(`no rt-testserver in ${baselineDir}`);

// Runs one mode against binary; returns the server memory per client in KiB.
async function runMode(name, options, binary = undefined) {
  const server = await startServer(["--max-sessions", String(clients * 2)], binary);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const rss0 = rssMiB(server.child.pid);
    const sockets = [];
    const connectTimes = [];
    const cpu0 = cpuMs(server.child.pid);
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
    const connectCpu = cpuMs(server.child.pid) - cpu0;
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
      `${name.padEnd(22)} connect all ${fmt(connectAll)} (server CPU ${connectCpu} ms) | per client median ${fmt(quantile(connectTimes, 0.5))}` +
        ` p99 ${fmt(quantile(connectTimes, 0.99))} | delivery median ${fmt(quantile(latencies, 0.5))}` +
        ` p99 ${fmt(quantile(latencies, 0.99))} (last client: median ${fmt(quantile(roundTimes, 0.5))})` +
        ` | server RSS ${rss0} MiB at 0, ${rssN} MiB at ${clients} (${perClientKiB(rss0, rssN)} KiB per client)`
    );
    sockets.forEach((s) => s.close());
    return Number(perClientKiB(rss0, rssN));
  } finally {
    await server.stop();
  }
}

// The mode against this build, and with BASELINE_BIN_DIR against the baseline before and after it (the
// machine's load drifts over a run).
async function compareMode(name, options) {
  if (!baselineServer) return runMode(name, options);
  const before = await runMode(`baseline: ${name}`, options, baselineServer);
  const current = await runMode(name, options);
  const after = await runMode(`baseline: ${name}`, options, baselineServer);
  const base = (before + after) / 2;
  console.log(`${"".padEnd(22)} memory per client: ${current} KiB vs baseline ${before} / ${after} KiB: ${(current / base).toFixed(2)}x`);
}

// N plain WebSocket clients against the bare QWebSocketServer: connect time and server RSS.
async function runBareBaseline() {
  const bin = process.env.BARE_WEBSOCKET_SERVER;
  if (!bin) return console.log("baseline skipped: BARE_WEBSOCKET_SERVER is not set");
  const WebSocket = createRequire(import.meta.url)("../compat/node_modules/ws");
  const child = spawn(bin, [], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`bare-websocket-server exited with ${code}`)));
      child.stdout.on("data", (d) => {
        const m = /READY (\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    const rss0 = rssMiB(child.pid);
    const sockets = [];
    const cpu0 = cpuMs(child.pid);
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, () => new Promise((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
        sockets.push(socket);
        socket.once("message", resolve);
        socket.once("error", reject);
      }))
    );
    const connectAll = performance.now() - start;
    const connectCpu = cpuMs(child.pid) - cpu0;
    await new Promise((r) => setTimeout(r, 1000));
    const rssN = rssMiB(child.pid);
    console.log(
      `${"baseline: bare Qt".padEnd(22)} connect all ${fmt(connectAll)} (server CPU ${connectCpu} ms) | server RSS ${rss0} MiB at 0, ` +
        `${rssN} MiB at ${clients} (${perClientKiB(rss0, rssN)} KiB per client; QWebSocketServer alone, ws clients)`
    );
    sockets.forEach((s) => s.terminate());
  } finally {
    child.kill("SIGKILL");
  }
}

console.log(`realtime bench: ${clients} clients, ${rounds} broadcast rounds per mode (one Node client process)`);
await runBareBaseline();
await compareMode("polling only", { transports: ["polling"] });
await compareMode("polling -> websocket", {});
await compareMode("websocket only", { transports: ["websocket"] });
process.exit(0);
