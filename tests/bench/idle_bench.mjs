// Idle memory benchmark (prints figures; not part of ctest): navigator's memory 3 s after it started on a fresh
// SQLite database with one forge-sim backend up, as RSS (anonymous and file-backed), proportional set size and
// private memory, plus the mappings that hold most of it. In-run baseline: Qt's QWebSocketServer alone
// (bare-websocket-server), the floor of any Qt network server on this machine; with BASELINE_BIN_DIR (a build of
// an older commit) that navigator is measured too.
// Usage: node tests/bench/idle_bench.mjs [runs=3]
//   NAVIGATOR_BIN_DIR (default build/bin) holds navigator, forge-sim and bare-websocket-server.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, killAll, sleep, start, waitFor } from "./processes.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.argv[2] || 3);
const binDir = resolve(process.env.NAVIGATOR_BIN_DIR || join(here, "..", "..", "build", "bin"));
const baselineDir = process.env.BASELINE_BIN_DIR ? resolve(process.env.BASELINE_BIN_DIR) : null;
const mib = (kib) => (kib / 1024).toFixed(1);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];



// Memory of a process in KiB, from /proc: status (RSS split), smaps_rollup (PSS, private) and smaps (by mapping).
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (text, name) => Number((new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text) || [0, 0])[1]);
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const byMapping = new Map();
  let name = "";
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = head[1] || "[anonymous]";
    else if (line.startsWith("Rss:")) byMapping.set(name, (byMapping.get(name) || 0) + field(line, "Rss"));
  }
  return {
    rss: field(status, "VmRSS"), anon: field(status, "RssAnon"), file: field(status, "RssFile"),
    pss: field(rollup, "Pss"), private: field(rollup, "Private_Clean") + field(rollup, "Private_Dirty"),
    top: [...byMapping].sort((a, b) => b[1] - a[1]).slice(0, 8),
  };
}

async function idleNavigator(bin, simPort, dir, run) {
  const port = await freePort();
  const nav = start(join(bin, "navigator"), ["--env-file", "/dev/null"], {
    DB_DRIVER: "sqlite", DB_PATH: join(dir, `idle-${run}.db`), SECRET_KEY: "idle-bench-secret",
    HTTP_API_PORT: String(port), RT_API_PORT: String(await freePort()), BIND_ADDRESS: "127.0.0.1",
    SD_API_HOST: `http://127.0.0.1:${simPort}/sdapi/v1`,
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`)).ok, nav, "navigator");
  await sleep(3000); // the backend probe and catalog refresh are done; nothing else runs
  const memory = memoryOf(nav.pid);
  nav.kill("SIGKILL");
  return memory;
}

async function bareServer() {
  const bare = start(join(binDir, "bare-websocket-server"), [], {}, { stdout: true });
  await waitFor(async () => bare.tail().includes("READY"), bare, "bare-websocket-server");
  await sleep(1000);
  const memory = memoryOf(bare.pid);
  bare.kill("SIGKILL");
  return memory;
}

function report(label, samples) {
  const pick = (key) => median(samples.map((s) => s[key]));
  console.log(`  ${label}: RSS ${mib(pick("rss"))} MiB (anonymous ${mib(pick("anon"))}, files ${mib(pick("file"))}),` +
    ` PSS ${mib(pick("pss"))} MiB, private ${mib(pick("private"))} MiB (median of ${samples.length})`);
  return pick("rss");
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "idle-bench-"));
  const simPort = await freePort();
  try {
    const sim = start(join(binDir, "forge-sim"), ["--port", String(simPort), "--step-ms", "0"]);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${simPort}/sim/state`)).ok, sim, "forge-sim");
    const samples = { navigator: [], baseline: [], bare: [] };
    for (let run = 0; run < runs; run++) { // interleaved: the machine's load drifts over a run
      samples.navigator.push(await idleNavigator(binDir, simPort, dir, `n${run}`));
      if (baselineDir) samples.baseline.push(await idleNavigator(baselineDir, simPort, dir, `b${run}`));
      samples.bare.push(await bareServer());
    }
    console.log("idle memory 3 s after start (SQLite, one forge-sim backend up)");
    const rss = report("navigator", samples.navigator);
    if (baselineDir) {
      const base = report(`baseline navigator (${baselineDir})`, samples.baseline);
      console.log(`  navigator / baseline RSS: ${(rss / base).toFixed(2)}x`);
    }
    const bare = report("bare QWebSocketServer", samples.bare);
    console.log(`  navigator / bare Qt server RSS: ${(rss / bare).toFixed(2)}x`);
    console.log("  largest mappings of navigator (last run):");
    for (const [name, kib] of samples.navigator.at(-1).top) console.log(`    ${mib(kib).padStart(5)} MiB  ${name}`);
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  killAll();
  process.exit(1);
});
