// What every bench needs to run servers: free loopback ports, child processes whose output tail explains a
// failed start, and one place that kills them all at the end.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise((done) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

// Every child started so far (exited ones included, so their output can still be printed).
export const children = new Set();

// Starts `program` with the environment plus `env`. The child keeps the last 4,000 characters of its stderr
// (and of stdout with `stdout: true`) in tail(), and counts its stderr lines in `lines`.
export function start(program, args, env = {}, { stdout = false } = {}) {
  const child = spawn(program, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", stdout ? "pipe" : "ignore", "pipe"],
  });
  let out = "";
  const keep = (d) => (out = (out + d).slice(-4000));
  child.lines = 0;
  child.stderr.on("data", (d) => {
    keep(d);
    for (const byte of d) if (byte === 10) child.lines++;
  });
  if (stdout) child.stdout.on("data", keep);
  child.tail = () => out;
  children.add(child);
  return child;
}

// Resolves once `check()` is truthy (exceptions count as not yet); fails when `child` exits or after ~30 s.
export async function waitFor(check, child, what) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited: ${child.tail()}`);
    try {
      if (await check()) return;
    } catch {}
    await sleep(50);
  }
  throw new Error(`${what} did not start: ${child.tail()}`);
}

export const waitHttp = (url, child, what) => waitFor(async () => (await fetch(url)).ok, child, what);

export async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((ok) => child.once("exit", ok));
  child.kill("SIGKILL");
  await exited;
}

export function killAll() {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
}

export function printTails() {
  for (const child of children) console.error(child.tail());
}
