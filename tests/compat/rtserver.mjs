// Helpers for the realtime tests: start build/bin/rt-testserver (path in RT_TESTSERVER), drive its control
// surface, and load socket.io-client from this folder's node_modules (installed by `npm ci`).
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export function loadClient() {
  if (!existsSync(join(here, "node_modules", "socket.io-client"))) {
    throw new Error(
      "socket.io-client is not installed: run `npm ci --prefix tests/compat` (scripts/test.sh does this)"
    );
  }
  return createRequire(import.meta.url)("socket.io-client");
}

export function serverBinary() {
  const bin = process.env.RT_TESTSERVER;
  if (!bin || !existsSync(bin)) {
    throw new Error(`RT_TESTSERVER must point to the built rt-testserver (got ${bin})`);
  }
  return bin;
}

// Starts rt-testserver (or the given binary, e.g. an older build's); resolves with { port, control, url,
// stop() } once it prints READY.
export function startServer(args = [], binary = serverBinary()) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`rt-testserver did not start: ${out}`)), 15000);
    child.stderr.on("data", (d) => (out += d));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /READY (\d+) (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          port,
          control: Number(m[2]),
          url: `http://127.0.0.1:${port}`,
          child,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGKILL");
            }),
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`rt-testserver exited with ${code}: ${out}`));
    });
  });
}

export async function emit(server, body) {
  const res = await fetch(`http://127.0.0.1:${server.control}/emit`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`emit failed: ${res.status} ${await res.text()}`);
}

export async function clientCount(server) {
  const res = await fetch(`http://127.0.0.1:${server.control}/clients`);
  return (await res.json()).clients;
}

// Resolves with the first payload of `event` on `socket`, or rejects after `timeoutMs`.
export function once(socket, event, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`timed out waiting for "${event}"`));
    }, timeoutMs);
    const handler = (...args) => {
      clearTimeout(timer);
      resolve(args.length <= 1 ? args[0] : args);
    };
    socket.once(event, handler);
  });
}

// Collects every payload of `event` into an array.
export function collect(socket, event) {
  const seen = [];
  socket.on(event, (payload) => seen.push(payload));
  return seen;
}

export async function waitUntil(predicate, timeoutMs = 10000, what = "condition") {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
