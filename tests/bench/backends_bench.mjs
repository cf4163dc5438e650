// Backends and scheduling benchmark (prints figures; not part of ctest). Each ratio is measured in this run:
//  1. throughput with 1, 2 and 3 forge-sim backends (--step-ms > 0): jobs per second, and 3 vs 1;
//  2. checkpoint swaps on a mixed 2-checkpoint workload (4 users, alternating checkpoints), model affinity
//     (SCHEDULER_MAX_SKIPS=4) vs no affinity (SCHEDULER_MAX_SKIPS=0), counted from forge-sim's request log;
//  3. the wait of a 1-job user submitted behind a 50-job user, in job times;
//  4. a 5 s outage of the only backend with 30 jobs queued: how many finish.
// Usage: node tests/bench/backends_bench.mjs [jobs=30]
//   NAVIGATOR_BIN_DIR (default build/bin) holds navigator and forge-sim.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { freePort, killAll, sleep, start, stop, waitHttp } from "./processes.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const jwt = createRequire(join(here, "..", "compat", "package.json"))("jsonwebtoken");

const [jobs = 30] = process.argv.slice(2).map(Number);
const binDir = resolve(process.env.NAVIGATOR_BIN_DIR || join(here, "..", "..", "build", "bin"));
const modelA = "sd_xl_base_1.0";
const modelB = "flux1-dev-bnb-nf4-v2";
const users = ["111111111111111111", "222222222222222222", "333333333333333333", "444444444444444444"];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (x, digits = 2) => Number(x).toFixed(digits);


class Sim {
  constructor(args) {
    this.args = args;
  }
  async start() {
    this.port ??= await freePort();
    this.child = start(join(binDir, "forge-sim"), ["--port", String(this.port), "--switch-ms", "0", ...this.args]);
    await waitHttp(`http://127.0.0.1:${this.port}/sim/state`, this.child, "forge-sim");
  }
  host() {
    return `http://127.0.0.1:${this.port}/sdapi/v1`;
  }
  async requests() {
    const body = await (await fetch(`http://127.0.0.1:${this.port}/sim/requests`)).json();
    return Array.isArray(body) ? body : body.requests;
  }
}

// One navigator over fresh SQLite in front of `sims`.
async function navigator(sims, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), "backends-bench-"));
  const [httpPort, rtPort] = [await freePort(), await freePort()];
  const secret = randomBytes(16).toString("hex");
  const admin = randomBytes(16).toString("hex");
  const child = start(join(binDir, "navigator"), ["--env-file", "/dev/null"], {
    DB_DRIVER: "sqlite", DB_PATH: join(dir, "navigator.db"), SECRET_KEY: secret, SUPERUSER_ADMIN_TOKEN: admin,
    HTTP_API_PORT: String(httpPort), RT_API_PORT: String(rtPort), BIND_ADDRESS: "127.0.0.1",
    SD_API_HOST: sims.map((s) => s.host()).join(","), MAX_QUEUE_LENGTH: "10000", MAX_JOBS_PER_USER: "0",
    JOB_PROGRESS_CHECK_INTERVAL: "200", BACKEND_PROBE_MAX_INTERVAL: "1s", QT_LOGGING_RULES: "*.info=false",
    ...env,
  });
  const api = `http://127.0.0.1:${httpPort}`;
  await waitHttp(`${api}/`, child, "navigator");
  const adminHeaders = { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" };
  for (const user of users) {
    const res = await fetch(`${api}/api/admin/authorize-user/${user}`, { headers: { Authorization: admin } });
    if (!res.ok) throw new Error(`authorize-user: ${res.status} ${await res.text()}`);
  }
  const tokens = Object.fromEntries(users.map((u) => [u, jwt.sign({ discord_id: u, role: 1 }, secret)]));
  const nav = {
    async submit(user, model = modelA, steps = 10) {
      const res = await fetch(`${api}/api/queue/user/txt2img`, {
        method: "POST",
        headers: { Authorization: `Bearer ${tokens[user]}`, "Content-Type": "application/json" },
        body: JSON.stringify({ model_name: model, prompt: "bench", steps, width: 64, height: 64 }),
      });
      if (!res.ok) throw new Error(`submit: ${res.status} ${await res.text()}`);
      return { id: (await res.json()).job_id, user, at: performance.now() };
    },
    async state(job) {
      const res = await fetch(`${api}/api/queue/jobs/${job.id}`, { headers: { Authorization: `Bearer ${tokens[job.user]}` } });
      return (await res.json()).status;
    },
    async waitFor(job, statuses, timeoutMs = 600000) {
      const t0 = performance.now();
      for (;;) {
        const status = await nav.state(job);
        if (statuses.includes(status)) return status;
        if (performance.now() - t0 > timeoutMs) throw new Error(`job ${job.id} stuck in ${status}`);
        await sleep(20);
      }
    },
    async waitAll(list) {
      const ends = [];
      for (const job of list) ends.push(await nav.waitFor(job, ["finished", "failed", "interrupted"]));
      return ends;
    },
    async backends() {
      return (await (await fetch(`${api}/api/admin/backends`, { headers: adminHeaders })).json()).backends;
    },
    async control(verb) {
      for (const b of await nav.backends()) {
        const res = await fetch(`${api}/api/admin/backends/${b.name}/${verb}`, { method: "POST", headers: adminHeaders });
        if (!res.ok) throw new Error(`${verb}: ${res.status}`);
      }
    },
    async allUp(count) {
      for (let i = 0; i < 400; i++) {
        const list = await nav.backends();
        if (list.length === count && list.every((b) => b.state === "up")) return;
        await sleep(50);
      }
      throw new Error("backends did not come up");
    },
    async close() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return nav;
}

async function throughput(backends) {
  const sims = Array.from({ length: backends }, () => new Sim(["--step-ms", "25", "--models", modelA]));
  for (const sim of sims) await sim.start();
  const nav = await navigator(sims);
  try {
    await nav.allUp(backends);
    const t0 = performance.now();
    const list = [];
    for (let i = 0; i < jobs; i++) list.push(await nav.submit(users[i % users.length], modelA, 20));
    const ends = await nav.waitAll(list);
    const seconds = (performance.now() - t0) / 1000;
    if (ends.some((e) => e !== "finished")) throw new Error(`throughput: not all finished: ${ends}`);
    return jobs / seconds;
  } finally {
    await nav.close();
    for (const sim of sims) await stop(sim.child);
  }
}

async function swaps(maxSkips) {
  const sim = new Sim(["--step-ms", "1", "--models", `${modelA},${modelB}`]);
  await sim.start();
  const nav = await navigator([sim], { SCHEDULER_MAX_SKIPS: String(maxSkips) });
  try {
    await nav.allUp(1);
    await nav.control("pause"); // queue the whole workload first, so both runs see the same queue
    const list = [];
    for (let i = 0; i < 40; i++) list.push(await nav.submit(users[i % 4], i % 2 ? modelB : modelA, 2));
    await nav.control("resume");
    await nav.waitAll(list);
    let loaded = modelA; // forge-sim starts with the first checkpoint loaded
    let count = 0;
    for (const entry of await sim.requests()) {
      if (entry.model && entry.model !== loaded) ++count;
      loaded = entry.model || loaded;
    }
    return count;
  } finally {
    await nav.close();
    await stop(sim.child);
  }
}

async function fairWait() {
  const sim = new Sim(["--step-ms", "20", "--models", modelA]);
  await sim.start();
  const nav = await navigator([sim]);
  try {
    await nav.allUp(1);
    const batch = [];
    for (let i = 0; i < 50; i++) batch.push(await nav.submit(users[0], modelA, 10));
    await nav.waitFor(batch[0], ["started", "finished"]);
    const lone = await nav.submit(users[1], modelA, 10);
    await nav.waitFor(lone, ["started", "finished"]);
    const waitedMs = performance.now() - lone.at;
    await nav.waitAll([lone, ...batch]);
    const durations = (await sim.requests()).map((r) => r.ended_ms - r.started_ms).filter((d) => d > 0);
    const jobMs = median(durations);
    const position = (await sim.requests()).findIndex((r) => r.body.force_task_id === `navigator-${lone.id}`);
    return { waitedMs, jobMs, position };
  } finally {
    await nav.close();
    await stop(sim.child);
  }
}

async function outage() {
  const sim = new Sim(["--step-ms", "10", "--models", modelA]);
  await sim.start();
  const nav = await navigator([sim]);
  try {
    await nav.allUp(1);
    const list = [];
    for (let i = 0; i < 30; i++) list.push(await nav.submit(users[i % 4], modelA, 10));
    await nav.waitFor(list[0], ["started", "finished"]);
    await stop(sim.child); // Forge dies with a job running and the rest queued
    await sleep(5000);
    await sim.start(); // same port
    const ends = await nav.waitAll(list);
    return ends.filter((e) => e === "finished").length;
  } finally {
    await nav.close();
    await stop(sim.child);
  }
}

async function main() {
  const rates = [];
  for (const n of [1, 2, 3]) {
    rates.push(await throughput(n));
    console.log(`throughput, ${n} backend(s): ${fmt(rates[n - 1])} jobs/s (${jobs} jobs, 20 steps at 25 ms)`);
  }
  console.log(`  3 backends vs 1: ${fmt(rates[2] / rates[0])}x (target >= 2.7x); 2 vs 1: ${fmt(rates[1] / rates[0])}x`);

  const fifo = await swaps(0);
  const affinity = await swaps(4);
  console.log(`checkpoint swaps, 40 jobs, 4 users, 2 checkpoints: no affinity ${fifo}, affinity ${affinity}`);
  console.log(`  affinity / no affinity: ${fmt(affinity / fifo)} (target <= 0.33)`);

  const fair = await fairWait();
  console.log(`1-job user behind a 50-job user: waited ${fmt(fair.waitedMs, 0)} ms to start, ` +
              `one job takes ${fmt(fair.jobMs, 0)} ms at the backend; ran as job #${fair.position + 1} of 51`);
  console.log(`  wait in job times: ${fmt(fair.waitedMs / fair.jobMs)} (target <= 2: the running job plus one)`);

  const done = await outage();
  console.log(`5 s outage of the only backend with 30 jobs queued: ${done}/30 finished`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    killAll();
  });
