// Image serving benchmark (prints figures; not part of ctest). wrk at 32 connections against
//   - GET /api/images/:id for a ~1.5 MB PNG and for a small one (served from Navigator's image cache),
//   - the same PNG bytes served from a file by nginx (Debian package, own prefix and config in a temp dir),
//   - Navigator's own GET / (a tiny JSON answer, no database),
// and prints each figure with its ratio to the baselines. The images are written into the database the way the
// original Navigator stores them (base64 text in images.image_data), with the sqlite3 CLI, so the first GET
// reads, decodes and hashes them and every later one is a cache hit.
// Usage: node tests/bench/images_bench.mjs [wrkSeconds=8]   NAVIGATOR_BIN_DIR (default build/bin)
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { freePort, killAll, printTails, start, waitHttp } from "./processes.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const [wrkSeconds = 8] = process.argv.slice(2).map(Number);
const binDir = resolve(process.env.NAVIGATOR_BIN_DIR || join(here, "..", "..", "build", "bin"));
const nginxBin = process.env.NGINX || "/usr/sbin/nginx";



// A valid RGB PNG of random pixels (incompressible, so its size is about width*height*3 bytes).
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}
function noisePng(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y++) rows.push(Buffer.from([0]), randomBytes(width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows), { level: 1 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function wrk(url, headers = {}) {
  const args = ["-t2", "-c32", `-d${wrkSeconds}s`, "--latency"];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  const out = execFileSync("wrk", [...args, url], { encoding: "utf8" });
  const rps = Number((/Requests\/sec:\s+([\d.]+)/.exec(out) || [])[1]);
  const p99 = (/\s99%\s+(\S+)/.exec(out) || [])[1] || "?";
  const bad = (/Non-2xx or 3xx responses:\s+(\d+)/.exec(out) || [])[1];
  const errors = (/Socket errors:([^\n]+)/.exec(out) || [])[1];
  if (!rps) throw new Error(`wrk printed no rate for ${url}:\n${out}`);
  return { rps, p99, note: `${bad ? `, ${bad} non-2xx` : ""}${errors ? `, socket errors:${errors}` : ""}` };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "images-bench-"));
  try {
    const big = noisePng(1024, 512); // ~1.5 MB, the size of a typical 1024x1024 generation
    const small = noisePng(48, 48); // ~7 KB
    const images = { big, small };

    // Navigator on a fresh SQLite database.
    const httpPort = await freePort();
    const dbPath = join(dir, "navigator.db");
    const nav = start(join(binDir, "navigator"), ["--env-file", "/dev/null"], {
      DB_DRIVER: "sqlite", DB_PATH: dbPath, SECRET_KEY: randomBytes(16).toString("hex"),
      HTTP_API_PORT: String(httpPort), RT_API_PORT: String(await freePort()), BIND_ADDRESS: "127.0.0.1",
      SD_API_HOST: `http://127.0.0.1:${await freePort()}/sdapi/v1`, QT_LOGGING_RULES: "*.info=false",
    });
    const api = `http://127.0.0.1:${httpPort}`;
    await waitHttp(`${api}/`, nav, "navigator");
    for (const [id, png] of Object.entries(images)) {
      const file = join(dir, `${id}.b64`);
      writeFileSync(file, png.toString("base64"));
      execFileSync("sqlite3", [dbPath,
        `INSERT INTO images (id, owner_id, image_data) VALUES ('${id}', '1', CAST(readfile('${file}') AS TEXT))`]);
      const res = await fetch(`${api}/api/images/${id}`);
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200 || !body.equals(png)) throw new Error(`GET /api/images/${id}: ${res.status}`);
    }

    // nginx serving the same bytes from files.
    const root = join(dir, "www");
    chmodSync(dir, 0o755); // nginx started as root reads files as its unprivileged worker user
    mkdirSync(join(root, "img"), { recursive: true });
    for (const [id, png] of Object.entries(images)) writeFileSync(join(root, "img", `${id}.png`), png);
    for (const sub of ["logs", "tmp"]) mkdirSync(join(dir, sub));
    // Two nginx instances: the Debian default (one worker per core) and a single worker, which like
    // Navigator's HTTP event loop uses one core.
    const nginxPorts = {};
    for (const workers of ["auto", "1"]) {
      const port = (nginxPorts[workers] = await freePort());
      const conf = join(dir, `nginx-${workers}.conf`);
      writeFileSync(conf, `
worker_processes ${workers};
pid ${dir}/nginx-${workers}.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  types { image/png png; }
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`);
      const nginx = start(nginxBin, ["-p", dir, "-e", `${dir}/logs/error.log`, "-c", conf, "-g", "daemon off;"]);
      await waitHttp(`http://127.0.0.1:${port}/img/small.png`, nginx, "nginx");
    }

    const root_ = wrk(`${api}/`);
    const rows = [];
    for (const id of Object.keys(images)) {
      const ngx = wrk(`http://127.0.0.1:${nginxPorts.auto}/img/${id}.png`);
      const ngx1 = wrk(`http://127.0.0.1:${nginxPorts["1"]}/img/${id}.png`);
      const navi = wrk(`${api}/api/images/${id}`);
      const etag = (await fetch(`${api}/api/images/${id}`)).headers.get("etag");
      const notModified = wrk(`${api}/api/images/${id}`, { "If-None-Match": etag });
      rows.push({ id, size: images[id].length, ngx, ngx1, navi, notModified });
    }

    const f = (x) => x.toFixed(0).padStart(7);
    console.log(`image benchmark (wrk -t2 -c32 -d${wrkSeconds}s, SQLite, nginx sendfile)`);
    console.log(`  Navigator GET /: ${f(root_.rps)} req/s, p99 ${root_.p99}${root_.note}`);
    for (const { id, size, ngx, ngx1, navi, notModified } of rows) {
      console.log(`  ${id} PNG (${(size / 1024).toFixed(0)} KiB):`);
      console.log(`    nginx file (auto workers): ${f(ngx.rps)} req/s, p99 ${ngx.p99}${ngx.note}`);
      console.log(`    nginx file (1 worker):     ${f(ngx1.rps)} req/s, p99 ${ngx1.p99}${ngx1.note}`);
      console.log(`    GET /api/images/:id:       ${f(navi.rps)} req/s, p99 ${navi.p99}${navi.note}` +
        `  = ${(navi.rps / ngx.rps).toFixed(2)}x nginx (auto), ${(navi.rps / ngx1.rps).toFixed(2)}x nginx (1),` +
        ` ${(navi.rps / root_.rps).toFixed(2)}x GET /`);
      console.log(`    same with If-None-Match (304): ${f(notModified.rps)} req/s, p99 ${notModified.p99}` +
        `${notModified.note}  = ${(notModified.rps / root_.rps).toFixed(2)}x GET /`);
    }
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.message);
  printTails();
  killAll();
  process.exit(1);
});
