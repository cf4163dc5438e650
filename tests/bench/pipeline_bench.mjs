// Pipeline benchmark (prints figures; not part of ctest).
//  1. throughput: N jobs submitted at once (16 submissions in flight) against forge-sim --step-ms 0, first
//     submit to last task-finished, and navigator's CPU time (user + system, from /proc) per job meanwhile;
//  2. added latency per 1 s job: submit -> task-finished seen by a socket.io client, minus the time forge-sim
//     spent on the generation, for jobs sent one at a time into an idle queue, split at forge-sim's request log
//     into the time before the generation request arrived there and after its answer left;
//  3. idle gap at the backend between consecutive jobs (from forge-sim's request log): median and p95;
//  4. GET /api/images/:id requests per second with wrk at 32 connections.
// Usage: node tests/bench/pipeline_bench.mjs [jobs=200] [single=10] [wrkSeconds=10]
//   NAVIGATOR_BIN_DIR (default build/bin) holds navigator and forge-sim. With BASELINE_BIN_DIR (a build of an
//   older commit, e.g. the one before a change) its navigator runs 1-3 as well, before and after this build's,
//   against the same forge-sim, and the ratios are printed. PIPELINE_DB=mysql with NAVIGATOR_TEST_MYSQL_*
//   (scripts/mariadb-private.sh) runs on MariaDB (one fresh database per run) instead of SQLite.
import { execFileSync } from "node:child_process";
import http from "node:http";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { freePort, killAll, printTails, sleep, start, waitHttp } from "./processes.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const requireCompat = createRequire(join(here, "..", "compat", "package.json"));
const { io } = requireCompat("socket.io-client");
const jwt = requireCompat("jsonwebtoken");

const [jobs = 200, single = 10, wrkSeconds = 10] = process.argv.slice(2).map(Number);
const binDir = resolve(process.env.NAVIGATOR_BIN_DIR || join(here, "..", "..", "build", "bin"));
const baselineDir = process.env.BASELINE_BIN_DIR ? resolve(process.env.BASELINE_BIN_DIR) : null;
const inFlight = 16; // concurrent submissions in the burst
const mysql = process.env.PIPELINE_DB === "mysql";
const model = "sd_xl_base_1.0";
const user = "111111111111111111";

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const fmt = (x, digits = 2) => Number(x).toFixed(digits);
// The bench's HTTP client for submissions: node's http.request over a keep-alive agent (one socket per request
// in flight, reused), as a bot or a web backend would call the API. fetch() (undici) cost about 1 ms of CPU and
// 0.7 ms of latency per call here, more than the server's own work per job. Resolves to { status, body }.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const post = (url, headers, body) =>
  new Promise((ok, fail) => {
    const req = http.request(url, { method: "POST", agent, headers: { ...headers, "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => ok({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on("error", fail);
      });
    req.on("error", fail);
    req.end(body);
  });
// Wall-clock milliseconds (as forge-sim logs them) of a performance.now() reading.
const epochMs = (t) => performance.timeOrigin + t;
const breakdown = (r) =>
  `medians: submit -> request at forge-sim ${fmt(quantile(r.parts.before, 0.5), 2)} ms, waiting in forge-sim ` +
  `${fmt(quantile(r.parts.forge, 0.5), 2)} ms, answer -> task-finished seen ${fmt(quantile(r.parts.after, 0.5), 2)} ms`;

// User + system CPU time of a process so far, from /proc (clock ticks of 10 ms on Linux).
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};


// A fresh database for one navigator: SQLite in `dir`, or a new MariaDB database.
function databaseEnv(dir, run) {
  if (!mysql) return { DB_DRIVER: "sqlite", DB_PATH: join(dir, `navigator-${run}.db`) };
  const e = process.env;
  const name = `pipeline_bench_${process.pid}_${run}`;
  const server = ["-h", e.NAVIGATOR_TEST_MYSQL_HOST || "127.0.0.1", "-P", e.NAVIGATOR_TEST_MYSQL_PORT || "3306",
    "-u", e.NAVIGATOR_TEST_MYSQL_USER || "root", `-p${e.NAVIGATOR_TEST_MYSQL_PASSWORD || ""}`];
  execFileSync("mariadb", [...server, "-e", `DROP DATABASE IF EXISTS ${name}; CREATE DATABASE ${name}`]);
  databases.push({ server, name });
  return { DB_DRIVER: "mysql", DB_HOST: server[1], DB_PORT: server[3], DB_USER: server[5],
    DB_PASSWORD: e.NAVIGATOR_TEST_MYSQL_PASSWORD || "", DB_NAME: name, DB_SOCKET: "" };
}
const databases = [];
// mariadbd's PID when it runs on this machine (its pid file is readable here), else 0. It shares the cores
// with navigator, forge-sim and the bench, so its CPU per job joins the machine's figure.
function databasePid() {
  if (!databases.length) return 0;
  try {
    const file = execFileSync("mariadb", [...databases[0].server, "-N", "-e", "SELECT @@pid_file"],
      { encoding: "utf8" }).trim();
    return Number(readFileSync(file, "utf8").trim()) || 0;
  } catch {
    return 0;
  }
}

// Starts navigator from `bin` on a fresh database against forge-sim at `simPort`, runs the burst (1, 3) and
// the one-at-a-time jobs (2), and stops it. Returns the figures.
async function measure(bin, run, dir, simPort, simPid) {
  const httpPort = await freePort();
  const rtPort = await freePort();
  const secret = randomBytes(16).toString("hex");
  const admin = randomBytes(16).toString("hex");
  const nav = start(join(bin, "navigator"), ["--env-file", "/dev/null"], {
    ...databaseEnv(dir, run), SECRET_KEY: secret, SUPERUSER_ADMIN_TOKEN: admin,
    HTTP_API_PORT: String(httpPort), RT_API_PORT: String(rtPort), BIND_ADDRESS: "127.0.0.1",
    SD_API_HOST: `http://127.0.0.1:${simPort}/sdapi/v1`, MAX_QUEUE_LENGTH: String(jobs + 10),
    MAX_JOBS_PER_USER: "0",
  }); // default logging: the bench counts the lines a run writes
  const api = `http://127.0.0.1:${httpPort}`;
  await waitHttp(`${api}/`, nav, "navigator");
  const auth = await fetch(`${api}/api/admin/authorize-user/${user}`, { headers: { Authorization: admin } });
  if (!auth.ok) throw new Error(`authorize-user: ${auth.status} ${await auth.text()}`);
  const token = jwt.sign({ discord_id: user, role: 1 }, secret, { expiresIn: "1h" });
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };

  const socket = io(`http://127.0.0.1:${rtPort}`, { transports: ["websocket"], auth: { token } });
  await new Promise((ok, fail) => {
    socket.once("connect", ok);
    socket.once("connect_error", fail);
  });
  const finishedAt = new Map();
  const waiters = new Map();
  const onFinal = (payload) => {
    finishedAt.set(payload.job_id, performance.now());
    waiters.get(payload.job_id)?.();
  };
  socket.on("task-finished", onFinal);
  socket.on("task-failed", (p) => {
    console.error("job failed", JSON.stringify(p.error));
    onFinal(p);
  });
  const submit = async (i, steps = 1) => {
    const res = await post(`${api}/api/queue/user/txt2img`, headers,
      JSON.stringify({ model_name: model, prompt: `bench ${i}`, steps, width: 64, height: 64 }));
    if (res.status !== 200) throw new Error(`submit: ${res.status} ${res.body}`);
    return JSON.parse(res.body).job_id;
  };
  const finished = (id) =>
    finishedAt.has(id) ? Promise.resolve() : new Promise((ok) => waiters.set(id, ok));

  // Warm-up (model load, connections).
  await finished(await submit(-1));

  // 1 + 3: a burst of N jobs.
  await fetch(`http://127.0.0.1:${simPort}/sim/reset`, { method: "POST" });
  const dbPid = databasePid();
  const dbCpuMs = () => (dbPid ? cpuMs(dbPid) : 0);
  const cpuBefore = cpuMs(nav.pid);
  const simCpuBefore = cpuMs(simPid);
  const dbCpuBefore = dbCpuMs();
  const clientCpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const ids = [];
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < jobs) ids.push(await submit(next++));
  }));
  const submittedIn = performance.now() - t0;
  await Promise.all(ids.map(finished));
  const elapsed = Math.max(...ids.map((id) => finishedAt.get(id))) - t0;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const clientCpuPerJob = (clientCpu.user + clientCpu.system) / 1000 / jobs;
  await sleep(300); // the last png-info and database writes after task-finished
  const cpuPerJob = (cpuMs(nav.pid) - cpuBefore) / jobs;
  const simCpuPerJob = (cpuMs(simPid) - simCpuBefore) / jobs;
  const dbCpuPerJob = (dbCpuMs() - dbCpuBefore) / jobs;
  const log = await (await fetch(`http://127.0.0.1:${simPort}/sim/requests`)).json();
  const entries = (Array.isArray(log) ? log : log.requests).filter((e) => e.ended_ms !== null);
  entries.sort((a, b) => a.started_ms - b.started_ms);
  const gaps = [];
  for (let i = 1; i < entries.length; i++) gaps.push(entries[i].started_ms - entries[i - 1].ended_ms);
  const genMs = entries.map((e) => e.ended_ms - e.started_ms);

  // 1b: the same number of jobs queued while the backend is paused, then drained: the pipeline alone
  // (dispatch, Forge calls, storing, events), without the submissions competing for the same cores.
  const backendName = `127.0.0.1:${simPort}`;
  const control = (action) =>
    fetch(`${api}/api/admin/backends/${backendName}/${action}`, { method: "POST", headers: { Authorization: admin } });
  if (!(await control("pause")).ok) throw new Error("cannot pause the backend");
  const queuedIds = [];
  let queuedNext = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (queuedNext < jobs) queuedIds.push(await submit(jobs + queuedNext++));
  }));
  const drainCpuBefore = cpuMs(nav.pid);
  const drainSimCpuBefore = cpuMs(simPid);
  const drainDbCpuBefore = dbCpuMs();
  const drainClientCpuBefore = process.cpuUsage();
  const d0 = performance.now();
  if (!(await control("resume")).ok) throw new Error("cannot resume the backend");
  await Promise.all(queuedIds.map(finished));
  const drained = Math.max(...queuedIds.map((id) => finishedAt.get(id))) - d0;
  const drainClientCpu = process.cpuUsage(drainClientCpuBefore);
  await sleep(300);
  const drain = {
    elapsed: drained, cpuPerJob: (cpuMs(nav.pid) - drainCpuBefore) / jobs,
    simCpuPerJob: (cpuMs(simPid) - drainSimCpuBefore) / jobs, dbCpuPerJob: (dbCpuMs() - drainDbCpuBefore) / jobs,
    clientCpuPerJob: (drainClientCpu.user + drainClientCpu.system) / 1000 / jobs,
  };

  // 2: one 1 s job at a time into an idle queue (20 steps of 50 ms, with progress polls and previews).
  await fetch(`http://127.0.0.1:${simPort}/sim/reset`, { method: "POST" });
  const speed = (stepMs) =>
    fetch(`http://127.0.0.1:${simPort}/sim/speed`, { method: "POST", body: JSON.stringify({ step_ms: stepMs }) });
  await speed(50);
  const totals = [];
  for (let i = 0; i < single; i++) {
    const s = performance.now();
    const id = await submit(1000000 + i, 20);
    await finished(id);
    const seen = finishedAt.get(id);
    totals.push({ id, ms: seen - s, submittedAt: epochMs(s), finishedAt: epochMs(seen) });
  }
  await speed(0);
  const singleLog = await (await fetch(`http://127.0.0.1:${simPort}/sim/requests`)).json();
  const byTask = new Map((Array.isArray(singleLog) ? singleLog : singleLog.requests).map((e) => [e.task_id, e]));
  const added = totals.map(({ id, ms }) => {
    const e = byTask.get(`navigator-${id}`);
    return ms - (e ? e.ended_ms - e.started_ms : 0);
  });
  // Where the added time goes (forge-sim stamps with the same wall clock): submit -> the generation request
  // arrives at forge-sim, arrival -> generation start (forge-sim's own queue), answer -> task-finished seen.
  const parts = { before: [], forge: [], after: [] };
  for (const { id, submittedAt, finishedAt: seenAt } of totals) {
    const e = byTask.get(`navigator-${id}`);
    if (!e) continue;
    parts.before.push(e.arrived_ms - submittedAt);
    parts.forge.push(e.started_ms - e.arrived_ms);
    parts.after.push(seenAt - e.ended_ms);
  }
  socket.close();
  return { nav, api, ids, submittedIn, elapsed, cpuPerJob, simCpuPerJob, clientCpuPerJob, dbCpuPerJob, drain, gaps, genMs, added, parts,
    stop: () => nav.kill("SIGKILL") };
}

// The instrument's own share of "submit -> request at forge-sim": from a post() like submit()'s to its bytes
// arriving at a bare TCP server in this process, one request at a time with pauses as between 1 s jobs.
async function clientPostMs(samples = 30) {
  let arrived = 0;
  const server = createServer((socket) => {
    let buffered = "";
    socket.on("data", (d) => {
      if (!buffered) arrived = performance.now();
      buffered += d;
      const end = buffered.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(buffered);
      if (end < 0 || !length || buffered.length < end + 4 + Number(length[1])) return;
      buffered = "";
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${server.address().port}/api/queue/user/txt2img`;
  const times = [];
  for (let i = 0; i < samples; i++) {
    await sleep(100);
    const t = performance.now();
    const res = await post(url, { Authorization: "Bearer x", "Content-Type": "application/json" },
      JSON.stringify({ model_name: model, prompt: `bench ${i}`, steps: 20, width: 64, height: 64 }));
    JSON.parse(res.body);
    times.push(arrived - t);
  }
  server.close();
  return quantile(times, 0.5);
}

// The instrument's share of "answer -> task-finished seen": from event_sender.mjs (a bare socket.io server in
// another process) stamping and sending a task-finished to this process's socket.io client seeing it, one event
// every 100 ms as between 1 s jobs.
async function clientEventMs(samples = 30) {
  const sender = start(process.execPath, [join(here, "event_sender.mjs"), String(samples), "100"], {}, { stdout: true });
  let port = 0;
  for (let i = 0; i < 200 && !port; i++) {
    port = Number((/PORT (\d+)/.exec(sender.tail()) || [0, 0])[1]);
    if (!port) await sleep(25);
  }
  if (!port) throw new Error(`event_sender did not start: ${sender.tail()}`);
  const times = [];
  const socket = io(`http://127.0.0.1:${port}`, { transports: ["websocket"] });
  await new Promise((ok) => socket.on("task-finished", (payload) => {
    times.push(Number(process.hrtime.bigint() - BigInt(payload.sent_ns)) / 1e6); // CLOCK_MONOTONIC: one per machine
    if (times.length === samples) ok();
  }));
  socket.close();
  sender.kill("SIGKILL");
  return quantile(times, 0.5);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "pipeline-bench-"));
  const simPort = await freePort();
  try {
    const sim = start(join(binDir, "forge-sim"), [
      "--port", String(simPort), "--step-ms", "0", "--switch-ms", "0", "--models", model,
    ]);
    await waitHttp(`http://127.0.0.1:${simPort}/sim/state`, sim, "forge-sim");
    const figures = (r) =>
      `${fmt((jobs * 1000) / r.elapsed, 1)} jobs/s, ${fmt(r.cpuPerJob, 2)} ms server CPU per job, drain ` +
      `${fmt((jobs * 1000) / r.drain.elapsed, 1)} jobs/s at ${fmt(r.drain.cpuPerJob, 2)} ms, idle gap ` +
      `median ${fmt(quantile(r.gaps, 0.5), 2)} ms, added latency median ${fmt(quantile(r.added, 0.5), 2)} ms`;
    const baseline = [];
    if (baselineDir) { // baseline, this build, baseline: the machine's load drifts over a run
      const b = await measure(baselineDir, "baseline1", dir, simPort, sim.pid);
      b.stop();
      baseline.push(b);
    }
    const r = await measure(binDir, "current", dir, simPort, sim.pid);
    const postMs = await clientPostMs();
    const eventMs = await clientEventMs();
    if (baselineDir) {
      const b = await measure(baselineDir, "baseline2", dir, simPort, sim.pid);
      b.stop();
      baseline.push(b);
    }
    const { nav, api, ids } = r;

    // 4: wrk on a finished image.
    let wrkLine = "wrk not run";
    let wrkRequests = 0;
    try {
      const out = execFileSync("wrk", ["-t2", "-c32", `-d${wrkSeconds}s`, `${api}/api/images/${ids[0]}`], {
        encoding: "utf8",
      });
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      wrkRequests = Number((/(\d+) requests in/.exec(out) || [0, 0])[1]);
      const lat = /Latency\s+(\S+)/.exec(out);
      const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
      wrkLine = `${rps ? rps[1] : "?"} req/s (avg latency ${lat ? lat[1] : "?"}` +
        `${non2xx ? `, ${non2xx[1]} non-2xx` : ""})`;
    } catch (e) {
      wrkLine = `wrk failed: ${e.message}`;
    }

    console.log(`pipeline benchmark (forge-sim --step-ms 0, ${mysql ? "MariaDB" : "SQLite"}, 64x64 images, 1 step)`);
    console.log(`  burst of ${jobs} jobs (${inFlight} submissions in flight): submitted in ` +
      `${fmt(r.submittedIn, 0)} ms, all finished after ${fmt(r.elapsed, 0)} ms`);
    console.log(`  throughput: ${fmt((jobs * 1000) / r.elapsed, 1)} jobs/s`);
    console.log(`  server CPU per job (user + system, burst): ${fmt(r.cpuPerJob, 2)} ms`);
    // The burst shares the machine's cores with forge-sim, the bench's own clients and (on MariaDB) mariadbd:
    // their CPU per job bounds the throughput any server could reach here.
    const db = (x, joiner) => (x.dbCpuPerJob ? `${joiner}mariadbd ${fmt(x.dbCpuPerJob, 2)}` : "");
    const machineMs = r.cpuPerJob + r.simCpuPerJob + r.clientCpuPerJob + r.dbCpuPerJob;
    console.log(`  CPU per job on this machine: navigator ${fmt(r.cpuPerJob, 2)} + forge-sim ` +
      `${fmt(r.simCpuPerJob, 2)} + bench clients (this process) ${fmt(r.clientCpuPerJob, 2)}${db(r, " + ")} = ` +
      `${fmt(machineMs, 2)} ms, a ceiling of ${fmt((os.availableParallelism() * 1000) / machineMs, 0)} jobs/s on ` +
      `${os.availableParallelism()} cores`);
    const drainMachineMs = r.drain.cpuPerJob + r.drain.simCpuPerJob + r.drain.clientCpuPerJob + r.drain.dbCpuPerJob;
    console.log(`  drain of ${jobs} jobs queued behind a paused backend: ${fmt((jobs * 1000) / r.drain.elapsed, 1)} ` +
      `jobs/s, navigator CPU per job ${fmt(r.drain.cpuPerJob, 2)} ms (machine: ${fmt(drainMachineMs, 2)} ms with ` +
      `forge-sim ${fmt(r.drain.simCpuPerJob, 2)}, the clients ${fmt(r.drain.clientCpuPerJob, 2)}${db(r.drain, ", ")})`);
    console.log(`  forge-sim time per generation: median ${fmt(quantile(r.genMs, 0.5), 1)} ms`);
    console.log(`  idle gap at the backend between jobs: median ${fmt(quantile(r.gaps, 0.5), 2)} ms, ` +
      `p95 ${fmt(quantile(r.gaps, 0.95), 2)} ms, max ${fmt(Math.max(...r.gaps), 1)} ms (${r.gaps.length} gaps)`);
    console.log(`  added latency per 1 s job (idle queue, submit -> task-finished minus generation): ` +
      `median ${fmt(quantile(r.added, 0.5), 2)} ms, p95 ${fmt(quantile(r.added, 0.95), 2)} ms (${single} jobs)`);
    console.log(`    ${breakdown(r)}`);
    console.log(`    of which the bench client's own HTTP request (to a bare TCP server in this process): median ` +
      `${fmt(postMs, 2)} ms, and its own receipt of an event (from a bare socket.io server in another process): ` +
      `median ${fmt(eventMs, 2)} ms`);
    console.log(`    added latency less those two (median minus medians): ` +
      `${fmt(quantile(r.added, 0.5) - postMs - eventMs, 2)} ms`);
    console.log(`  GET /api/images/:id with wrk -c32 -t2 -d${wrkSeconds}s: ${wrkLine}`);
    const total = 2 * jobs + single + 1;
    console.log(`  log lines written by navigator (default logging): ${nav.lines} for ${total} jobs and ` +
      `${wrkRequests} HTTP requests (${fmt(nav.lines / total, 1)} per job)`);
    if (baselineDir) {
      console.log(`  baseline ${baselineDir}, before: ${figures(baseline[0])}`);
      console.log(`  baseline ${baselineDir}, after:  ${figures(baseline[1])}`);
      console.log(`  baseline added latency, before: ${breakdown(baseline[0])}`);
      console.log(`  baseline added latency, after:  ${breakdown(baseline[1])}`);
      const mean = (f) => (f(baseline[0]) + f(baseline[1])) / 2;
      const rate = (x) => (jobs * 1000) / x.elapsed;
      console.log(`  this build / baseline: throughput ${fmt(rate(r) / mean(rate), 2)}x, ` +
        `CPU per job ${fmt(r.cpuPerJob / mean((x) => x.cpuPerJob), 2)}x, drain throughput ` +
        `${fmt(rate(r.drain) / mean((x) => rate(x.drain)), 2)}x, drain CPU per job ` +
        `${fmt(r.drain.cpuPerJob / mean((x) => x.drain.cpuPerJob), 2)}x`);
    }
  } finally {
    agent.destroy();
    killAll();
    for (const { server, name } of databases)
      try {
        execFileSync("mariadb", [...server, "-e", `DROP DATABASE IF EXISTS ${name}`]);
      } catch {}
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.message);
  printTails();
  killAll();
  process.exit(1);
});
