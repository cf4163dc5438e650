// Hostile-client benchmark against the real navigator binary (issue 12). Figures only, no assertions.
//  1. Slowloris on each port: N connections (default 2000) that send a request head one byte a second and
//     reconnect when dropped, from 20 loopback addresses (127.0.0.1-20, so the per-address cap alone does not
//     stop them). Meanwhile a probe from 127.0.0.250 times GET / (HTTP port) or an Engine.IO handshake
//     (realtime port) every 200 ms. Prints probe latency (median, p99, max) with and without the attack.
//  2. Uploads: U concurrent bodies of S MB (default 10 x 49 MB) to POST /, with the default HTTP_BODY_BUDGET
//     (256 MB) and with a budget large enough for all of them; prints navigator's peak RSS and the answers.
//
// Usage: node tests/bench/hostile_bench.mjs [connections] [seconds] [uploads] [uploadMB]
//   NAVIGATOR_BIN_DIR (default build/bin) holds navigator. Needs `ulimit -n` above 2 x connections + 100.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const binDir = resolve(process.env.NAVIGATOR_BIN_DIR || join(here, "..", "..", "build", "bin"));
const connections = Number(process.argv[2] ?? 2000);
const seconds = Number(process.argv[3] ?? 20);
const uploads = Number(process.argv[4] ?? 10);
const uploadMB = Number(process.argv[5] ?? 49);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((ok) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (${s.length} probes)`;
};

async function startNavigator(env) {
  const dir = mkdtempSync(join(tmpdir(), "hostile-bench-"));
  const httpPort = await freePort();
  const rtPort = await freePort();
  const child = spawn(join(binDir, "navigator"), ["--env-file", "/dev/null"], {
    env: {
      ...process.env, DB_DRIVER: "sqlite", DB_PATH: join(dir, "navigator.db"), SECRET_KEY: "bench",
      HTTP_API_PORT: String(httpPort), RT_API_PORT: String(rtPort), BIND_ADDRESS: "127.0.0.1",
      SD_API_HOST: "http://127.0.0.1:9/sdapi/v1", QT_LOGGING_RULES: "*.info=false;*.warning=false", ...env,
    },
    stdio: ["ignore", "ignore", "ignore"],
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/`)).ok) break;
    } catch {}
    await sleep(50);
  }
  return { child, httpPort, rtPort, stop: () => { child.kill("SIGKILL"); rmSync(dir, { recursive: true, force: true }); } };
}

// One request on a fresh connection from `localAddress`; resolves with the milliseconds to the first byte.
function probe(port, path, localAddress = "127.0.0.250") {
  return new Promise((ok) => {
    const t0 = performance.now();
    const socket = net.connect({ port, host: "127.0.0.1", localAddress });
    const timer = setTimeout(() => { socket.destroy(); ok(5000); }, 5000);
    socket.on("connect", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    socket.once("data", () => { clearTimeout(timer); ok(performance.now() - t0); socket.destroy(); });
    socket.on("error", () => { clearTimeout(timer); ok(5000); });
  });
}
async function probeFor(port, path, ms) {
  const times = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    times.push(await probe(port, path));
    await sleep(200);
  }
  return times;
}

// Keeps `count` slowloris connections open against the port until stop() is called.
function slowloris(port, count) {
  let stopped = false;
  let open = 0, dropped = 0;
  const sockets = new Set();
  const one = (i) => {
    if (stopped) return;
    const socket = net.connect({ port, host: "127.0.0.1", localAddress: `127.0.0.${1 + (i % 20)}` });
    sockets.add(socket);
    let timer;
    socket.on("connect", () => {
      open++;
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n");
      timer = setInterval(() => socket.write("X"), 1000);
    });
    socket.on("error", () => {});
    socket.on("close", (hadError) => {
      clearInterval(timer);
      sockets.delete(socket);
      dropped++;
      if (!stopped) setTimeout(() => one(i), 100); // reconnect, as an attacker would
    });
  };
  for (let i = 0; i < count; i++) one(i);
  return {
    counts: () => ({ open, dropped, live: sockets.size }),
    stop: () => { stopped = true; for (const s of sockets) s.destroy(); },
  };
}

async function slowlorisOn(name, port, path) {
  const nav = await startNavigator({});
  const p = name === "http" ? nav.httpPort : nav.rtPort;
  const quiet = await probeFor(p, path, 3000);
  const attack = slowloris(p, connections);
  await sleep(2000);
  const loaded = await probeFor(p, path, seconds * 1000);
  const { open, dropped, live } = attack.counts();
  const rss = memory(nav.child.pid);
  attack.stop();
  nav.stop();
  console.log(`slowloris on the ${name} port (${connections} connections, ${seconds} s):`);
  console.log(`  GET ${path} without attack: ${stats(quiet)}`);
  console.log(`  GET ${path} under attack:   ${stats(loaded)}`);
  console.log(`  attack: ${open} connections opened, ${dropped} dropped by the server, ${live} live at the end;` +
              ` navigator RSS ${rss.rss.toFixed(0)} MB`);
}

function upload(port, bytes) {
  return new Promise((ok) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let answer = "";
    socket.on("connect", () => {
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bytes}\r\n\r\n`);
      const chunk = Buffer.alloc(1 << 20, 120);
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          const n = Math.min(chunk.length, bytes - sent);
          sent += n;
          if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return socket.once("drain", pump);
        }
      };
      pump();
    });
    socket.on("data", (d) => (answer += d));
    socket.on("error", () => {});
    socket.on("close", () => ok(answer.split(" ")[1] || "reset"));
    setTimeout(() => socket.destroy(), 60000);
    socket.setTimeout(8000, () => socket.destroy());
  });
}

async function uploadsWith(label, env) {
  const nav = await startNavigator({ MAX_BODY_SIZE: "50mb", ...env });
  const before = memory(nav.child.pid);
  let peak = before.rss;
  const sampler = setInterval(() => (peak = Math.max(peak, memory(nav.child.pid).rss)), 20);
  const t0 = performance.now();
  const statuses = await Promise.all(Array.from({ length: uploads }, () => upload(nav.httpPort, uploadMB << 20)));
  clearInterval(sampler);
  const after = memory(nav.child.pid);
  nav.stop();
  const counts = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  console.log(`${uploads} concurrent ${uploadMB} MB uploads, ${label}: RSS ${before.rss.toFixed(0)} MB before, ` +
              `peak ${Math.max(peak, after.peak).toFixed(0)} MB (VmHWM), answers ${JSON.stringify(counts)}, ` +
              `${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

console.log(`file descriptor limit (ulimit -n) of this process: ${readFileSync("/proc/self/limits", "utf8").match(/Max open files\s+(\d+)/)[1]}`);
await slowlorisOn("http", 0, "/");
await slowlorisOn("realtime", 0, "/socket.io/?EIO=4&transport=polling");
await uploadsWith("HTTP_BODY_BUDGET=256mb (default)", {});
await uploadsWith("HTTP_BODY_BUDGET=2gb (all fit)", { HTTP_BODY_BUDGET: "2gb" });
process.exit(0);
