// The OpenAPI document against a real run (navigator + forge-sim + SQLite):
//  1. GET /api/openapi.json passes @apidevtools/swagger-parser's validation (OpenAPI 3.1);
//  2. every operation's x-example request is sent, and the reply's status must be documented and its JSON body
//     must match the documented schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
// Run: NAVIGATOR_BIN=build/bin/navigator FORGE_SIM_BIN=build/bin/forge-sim node --test tests/compat/openapi.test.mjs
//
// x-example fields: auth ("user" | "admin" | none), path / query / body (values "$name" are replaced by the
// fixtures below), status (expected, default 200), last (run after the others: deletions), skip (a reason).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const SwaggerParser = require("@apidevtools/swagger-parser");
const Ajv2020 = require("ajv/dist/2020").default;
const jwt = require("jsonwebtoken");

const USER = "111111111111111111";
const ADMIN = "222222222222222222";
const OTHER = "333333333333333333";
const METHODS = ["get", "put", "post", "delete", "patch"];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function start(program, args, env) {
  const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.output = "";
  child.stdout.on("data", (d) => (child.output += d));
  child.stderr.on("data", (d) => (child.output += d));
  return child;
}

async function waitFor(check, what, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startStack(t) {
  const navigator = process.env.NAVIGATOR_BIN;
  const forgeSim = process.env.FORGE_SIM_BIN;
  assert.ok(navigator && forgeSim, "set NAVIGATOR_BIN and FORGE_SIM_BIN (CTest does)");
  const dir = mkdtempSync(join(tmpdir(), "navigator-openapi-"));
  const simPort = await freePort();
  const sim = start(forgeSim, ["--port", String(simPort), "--step-ms", "5", "--switch-ms", "0"], {});
  const httpPort = await freePort();
  const secret = "openapi-test-secret";
  const superuser = "openapi-test-superuser";
  const nav = start(navigator, ["--env-file", "/dev/null"], {
    DB_DRIVER: "sqlite", DB_PATH: join(dir, "navigator.db"), SECRET_KEY: secret, SUPERUSER_ADMIN_TOKEN: superuser,
    BIND_ADDRESS: "127.0.0.1", HTTP_API_PORT: String(httpPort), RT_API_PORT: String(await freePort()),
    SD_API_HOST: `http://127.0.0.1:${simPort}/sdapi/v1`, JOB_PROGRESS_CHECK_INTERVAL: "100",
    ENABLE_LORA_SUPPORT: "true",
  });
  t.after(() => {
    nav.kill("SIGKILL");
    sim.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${httpPort}`;
  await waitFor(async () => (await fetch(base + "/healthz")).ok, "navigator").catch((e) => {
    throw new Error(`${e.message}\n${nav.output}`);
  });
  const token = (id, role) => "Bearer " + jwt.sign({ discord_id: id, role }, secret, { expiresIn: "1h" });
  return { base, superuser, nav, tokens: { user: token(USER, 1), admin: token(ADMIN, 3) } };
}

async function call(stack, method, path, { auth, body, headers = {} } = {}) {
  const h = { ...headers };
  if (auth === "superuser") h.Authorization = stack.superuser;
  else if (auth) h.Authorization = stack.tokens[auth];
  if (body !== undefined) h["Content-Type"] = "application/json";
  const res = await fetch(stack.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = Buffer.from(await res.arrayBuffer());
  let json;
  try {
    json = JSON.parse(text.toString("utf8"));
  } catch {}
  return { status: res.status, type: res.headers.get("content-type") || "", json, text };
}

// Users, two finished jobs, two categories, a model name and a PNG, for the examples to refer to.
async function makeFixtures(stack) {
  for (const id of [USER, ADMIN]) {
    const r = await call(stack, "GET", `/api/admin/authorize-user/${id}`, { auth: "superuser" });
    assert.equal(r.status, 200, `authorize ${id}: ${r.text}`);
  }
  const role = await call(stack, "PUT", `/api/admin/users/${ADMIN}/role`, { auth: "superuser", body: { role: 3 } });
  assert.equal(role.status, 200, role.text.toString());
  const models = await call(stack, "GET", "/api/models");
  const model = models.json.models[0].model_name ?? models.json.models[0].title;
  const jobs = [];
  for (let i = 0; i < 2; i++) {
    const r = await call(stack, "POST", "/api/queue/user/txt2img", {
      auth: "user", body: { model_name: model, prompt: "fixture", steps: 2, width: 512, height: 512 },
    });
    assert.equal(r.status, 200, r.text.toString());
    jobs.push(r.json.job_id);
  }
  for (const id of jobs)
    await waitFor(async () => (await call(stack, "GET", `/api/queue/jobs/${id}`, { auth: "user" })).json.status === "finished", `job ${id}`);
  const categories = [];
  for (const name of ["one", "two"])
    categories.push((await call(stack, "POST", "/api/user/category", { auth: "user", body: { name } })).json.id);
  const png = (await call(stack, "GET", `/api/images/${jobs[0]}`)).text.toString("base64");
  return {
    $job: jobs[0], $job2: jobs[1], $category: categories[0], $category2: categories[1], $model: model,
    $user: USER, $other: OTHER, $pngBase64: png,
  };
}

function substitute(value, fixtures) {
  if (typeof value === "string" && value in fixtures) return fixtures[value];
  if (Array.isArray(value)) return value.map((v) => substitute(v, fixtures));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, fixtures)]));
  return value;
}

test("GET /api/openapi.json is a valid OpenAPI 3.1 document, and every example request gets a documented reply", async (t) => {
  const stack = await startStack(t);
  const served = await call(stack, "GET", "/api/openapi.json");
  assert.equal(served.status, 200);
  assert.match(served.type, /application\/json/);
  const document = served.json;
  assert.equal(document.openapi, "3.1.0");
  // validate() dereferences in place: give it a copy, keep the original for ajv's $refs.
  await SwaggerParser.validate(structuredClone(document));

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "navigator", components: document.components });
  const fixtures = await makeFixtures(stack);

  const operations = [];
  for (const [path, item] of Object.entries(document.paths))
    for (const method of METHODS) if (item[method]) operations.push({ path, method, op: item[method] });
  operations.sort((a, b) => Number(!!a.op["x-example"]?.last) - Number(!!b.op["x-example"]?.last));

  const failures = [];
  const skipped = [];
  for (const { path, method, op } of operations) {
    const example = substitute(op["x-example"] ?? {}, fixtures);
    const name = `${method.toUpperCase()} ${path} (${op.operationId})`;
    if (example.skip) {
      skipped.push(`${name}: ${example.skip}`);
      continue;
    }
    let url = path.replace(/\{(\w+)\}/g, (_, p) => encodeURIComponent(String(example.path?.[p] ?? "")));
    if (example.query) url += "?" + new URLSearchParams(example.query).toString();
    const reply = await call(stack, method.toUpperCase(), url, { auth: example.auth, body: example.body });
    const expected = example.status ?? 200;
    if (reply.status !== expected) {
      failures.push(`${name}: expected ${expected}, got ${reply.status} ${reply.text.toString().slice(0, 200)}`);
      continue;
    }
    const documented = op.responses[String(reply.status)];
    if (!documented) {
      failures.push(`${name}: status ${reply.status} is not documented`);
      continue;
    }
    const response = documented.$ref ? document.components.responses[documented.$ref.split("/").pop()] : documented;
    const schema = response.content?.["application/json"]?.schema;
    if (!schema) continue; // images, HTML, metrics text, 204
    if (reply.json === undefined) {
      failures.push(`${name}: documented as JSON, got ${reply.type}`);
      continue;
    }
    const text = JSON.stringify(schema).replaceAll('"#/components/', '"navigator#/components/');
    const validate = ajv.compile(JSON.parse(text));
    if (!validate(reply.json))
      failures.push(`${name}: reply does not match the schema: ${ajv.errorsText(validate.errors)}\n  ${JSON.stringify(reply.json).slice(0, 300)}`);
  }
  console.log(`checked ${operations.length - skipped.length} of ${operations.length} operations; skipped: ${skipped.join("; ") || "none"}`);
  assert.deepEqual(failures, [], failures.join("\n"));
});
