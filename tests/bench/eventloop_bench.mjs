// Event-loop benchmark (prints figures; not part of ctest): GET / latency measured by wrk while 10 clients
// upload 10 MB img2img bodies in a loop, against the same wrk run with no uploads (the in-run baseline). The
// whole run is done twice: with worker threads at the event loop's priority (WORKER_NICE=0) and with the
// configured default, so the effect of WORKER_NICE is a ratio inside one run.
// Navigator drives forge-sim (--step-ms 0), so the uploads are parsed, checked, stored, sent to the backend and
// finished like real jobs. Run it against another build with NAVIGATOR_BIN_DIR to compare two commits.
// Usage: node tests/bench/eventloop_bench.mjs [uploaders=10] [bodyMB=10] [wrkSeconds=10]
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { children, freePort, killAll, printTails, sleep, start, waitHttp } from "./processes.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const requireCompat = createRequire(join(here, "..", "compat", "package.json"));
const jwt = requireCompat("jsonwebtoken");

const [uploaders = 10, bodyMB = 10, wrkSeconds = 10] = process.argv.slice(2).map(Number);
const binDir = resolve(process.env.NAVIGATOR_BIN_DIR || join(here, "..", "..", "build", "bin"));
const model = "sd_xl_base_1.0";
const user = "111111111111111111";


// A valid grey PNG whose base64 is about `bytes` long (stored blocks: deflate level 0 keeps the size).
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
};
function pngOfBase64Size(bytes) {
  const side = Math.floor(Math.sqrt((bytes * 3) / 4)); // grey, 1 byte per pixel
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  const raw = Buffer.alloc(side * (side + 1), 0x80);
  for (let y = 0; y < side; y++) raw[y * (side + 1)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 0 })), chunk("IEND", Buffer.alloc(0))]);
}

function wrk(url) {
  return new Promise((ok, fail) =>
    execFile("wrk", ["-t1", "-c8", `-d${wrkSeconds}s`, "--latency", url], { encoding: "utf8" }, (e, out) => {
      if (e) return fail(e);
      const field = (re) => (re.exec(out) || [])[1] || "?";
      ok({ rps: field(/Requests\/sec:\s+([\d.]+)/), p50: field(/\s50%\s+(\S+)/), p99: field(/\s99%\s+(\S+)/),
        max: field(/Latency\s+\S+\s+\S+\s+(\S+)/) });
    }));
}

async function scenario(label, extraEnv) {
  const dir = mkdtempSync(join(tmpdir(), "eventloop-bench-"));
  try {
    const simPort = await freePort();
    const httpPort = await freePort();
    const secret = randomBytes(16).toString("hex");
    const admin = randomBytes(16).toString("hex");
    const sim = start(join(binDir, "forge-sim"), [
      "--port", String(simPort), "--step-ms", "0", "--switch-ms", "0", "--models", model,
    ]);
    await waitHttp(`http://127.0.0.1:${simPort}/sim/state`, sim, "forge-sim");
    const nav = start(join(binDir, "navigator"), ["--env-file", "/dev/null"], {
      DB_DRIVER: "sqlite", DB_PATH: join(dir, "navigator.db"), SECRET_KEY: secret, SUPERUSER_ADMIN_TOKEN: admin,
      HTTP_API_PORT: String(httpPort), RT_API_PORT: String(await freePort()), BIND_ADDRESS: "127.0.0.1",
      SD_API_HOST: `http://127.0.0.1:${simPort}/sdapi/v1`, MAX_QUEUE_LENGTH: "100000",
      IMAGE_PIXEL_LIMIT: "100000000", QT_LOGGING_RULES: "*.info=false", ...extraEnv,
    });
    const api = `http://127.0.0.1:${httpPort}`;
    await waitHttp(`${api}/`, nav, "navigator");
    const auth = await fetch(`${api}/api/admin/authorize-user/${user}`, { headers: { Authorization: admin } });
    if (!auth.ok) throw new Error(`authorize-user: ${auth.status} ${await auth.text()}`);
    const token = jwt.sign({ discord_id: user, role: 1 }, secret, { expiresIn: "1h" });

    const init = pngOfBase64Size(bodyMB * 1024 * 1024).toString("base64");
    const body = JSON.stringify({ model_name: model, prompt: "upload bench", steps: 1, width: 64, height: 64,
      init_image: init });

    const idle = await wrk(`${api}/`);
    let stop = false;
    let uploads = 0;
    const failures = [];
    const uploader = async () => {
      while (!stop) {
        const res = await fetch(`${api}/api/queue/user/img2img`, {
          method: "POST", body,
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        });
        const text = await res.text();
        if (res.ok) uploads++;
        else failures.push(`${res.status} ${text.slice(0, 200)}`);
      }
    };
    const running = Array.from({ length: uploaders }, uploader);
    await sleep(300); // let the uploads get going
    const t0 = performance.now();
    const busy = await wrk(`${api}/`);
    const seconds = (performance.now() - t0) / 1000;
    stop = true;
    await Promise.all(running);
    if (failures.length) console.error(`upload failures: ${failures.length}, first: ${failures[0]}`);

    console.log(`${label}:`);
    console.log(`  idle:   ${idle.rps} req/s, p50 ${idle.p50}, p99 ${idle.p99}, max ${idle.max}`);
    console.log(`  while ${uploaders} clients upload ${(body.length / 1048576).toFixed(1)} MB img2img bodies ` +
      `(${uploads} uploads, ${(uploads * body.length / 1048576 / seconds).toFixed(0)} MB/s):`);
    console.log(`          ${busy.rps} req/s, p50 ${busy.p50}, p99 ${busy.p99}, max ${busy.max}`);
  } finally {
    killAll();
    children.clear();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`event-loop benchmark (wrk -t1 -c8 -d${wrkSeconds}s on GET /, SQLite, forge-sim --step-ms 0)`);
  await scenario("baseline: worker threads at the event loop's priority (WORKER_NICE=0)", { WORKER_NICE: "0" });
  await scenario("default WORKER_NICE (10)", {});
}

main().catch((e) => {
  console.error(e.message);
  printTails();
  killAll();
  process.exit(1);
});
