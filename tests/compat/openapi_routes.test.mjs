// The OpenAPI document (resources/openapi.json) and the route table (`navigator --routes`, server/api/Routes.cpp)
// must name the same operations: method and path, operationId, minimum role. A route added to the table
// without a spec entry, or a spec entry without a route, fails here with what to add or remove.
// Run: NAVIGATOR_BIN=build/bin/navigator node --test tests/compat/openapi_routes.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const METHODS = ["get", "put", "post", "delete", "patch"];

// "GET    /api/images/:jobId    public    getImage" or "... apprentice (1)  getMe" -> rows.
function routeTable() {
  const text = execFileSync(process.env.NAVIGATOR_BIN, ["--routes"], { encoding: "utf8" });
  return text.split("\n").filter((line) => line.trim()).map((line) => {
    const tokens = line.trim().split(/\s+/);
    const role = line.match(/\((\d+)\)/);
    return { method: tokens[0].toLowerCase(), path: tokens[1], operationId: tokens.at(-1), minRole: role ? Number(role[1]) : null };
  });
}

// Route patterns to OpenAPI paths: /api/images/:jobId -> /api/images/{jobId}, a final * -> {path}.
function openApiPath(pattern) {
  return pattern.replace(/:(\w+)/g, "{$1}").replace(/\/\*$/, "/{path}");
}

test("the OpenAPI document describes exactly the routes of the route table", () => {
  const specFile = fileURLToPath(new URL("../../resources/openapi.json", import.meta.url));
  const document = JSON.parse(readFileSync(specFile, "utf8"));
  const rows = routeTable();
  assert.ok(rows.length > 10, "navigator --routes printed too few routes");
  const problems = [];
  const seen = new Set();
  for (const row of rows) {
    const path = openApiPath(row.path);
    const op = document.paths[path]?.[row.method];
    const key = `${row.method.toUpperCase()} ${row.path}`;
    seen.add(`${row.method} ${path}`);
    if (!op) {
      problems.push(`${key} (${row.operationId}) is in the route table but not in resources/openapi.json: add ` +
        `paths["${path}"].${row.method} with operationId "${row.operationId}", its responses and an x-example ` +
        `(docs/OPERATIONS.md, "OpenAPI")`);
      continue;
    }
    if (op.operationId !== row.operationId)
      problems.push(`${key}: operationId is "${row.operationId}" in the route table but "${op.operationId}" in the spec`);
    const specRole = op["x-minimum-role"] ?? null;
    const anonymousAllowed = !op.security || op.security.length === 0 || op.security.some((s) => !Object.keys(s).length);
    if (specRole === null && !anonymousAllowed)
      problems.push(`${key}: public in the spec (no x-minimum-role) but its security list demands credentials`);
    if (specRole !== row.minRole)
      problems.push(`${key}: minimum role ${row.minRole ?? "public"} in the route table, ${specRole ?? "public"} in the spec ` +
        `(x-minimum-role, and security [] for public routes)`);
  }
  for (const [path, item] of Object.entries(document.paths))
    for (const method of METHODS)
      if (item[method] && !seen.has(`${method} ${path}`))
        problems.push(`${method.toUpperCase()} ${path} (${item[method].operationId}) is in resources/openapi.json but no ` +
          `route serves it: remove it from the spec or add the route to server/api/Routes.cpp`);
  assert.deepEqual(problems, [], problems.join("\n"));
});
