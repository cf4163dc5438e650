// The error-code vocabulary: every error code the server can answer with is in docs/ARCHITECTURE.md's table
// ("Error codes"), and the OpenAPI spec's x-error-codes lists the same, so both stay true when a new code is
// added. Codes are the QStringLiteral("UPPER_CASE") strings of the server's sources; configuration variable
// names, HTTP methods and the few other upper-case tokens below are not codes.
// Run: node --test tests/compat/error_codes.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

// Upper-case strings that are not error codes: file formats and chunk names, hash and JWT algorithms, Qt SQL
// drivers, SQL keywords, HTTP methods, log levels, model folder types, the demo login code, prefixes.
const NOT_CODES = new Set([
  "HS256", "SHA256", "IHDR", "RIFF", "WEBP", "VP8X", "VP8L", "QSQLITE", "QMYSQL", "BEGIN", "COMMIT",
  "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "UNKNOWN",
  "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "LORA", "VAE", "DEMO_USER", "NAVIGATOR_", "HTTP_", "EIO",
]);

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(cpp|h)$/.test(name) ? [path] : [];
  });
}

test("every error code the server uses is in docs/ARCHITECTURE.md", () => {
  const doc = readFileSync(join(root, "docs/ARCHITECTURE.md"), "utf8");
  const config = readFileSync(join(root, "server/config/Config.cpp"), "utf8");
  const variables = new Set([...config.matchAll(/"([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]));
  const missing = new Map();
  let codes = 0;
  for (const file of sources(join(root, "server"))) {
    if (file.includes("/server/config/")) continue;
    for (const [, code] of readFileSync(file, "utf8").matchAll(/QStringLiteral\("([A-Z][A-Z0-9_]{2,})"\)/g)) {
      if (NOT_CODES.has(code) || variables.has(code) || /^HTTP_\d+$/.test(code)) continue;
      ++codes;
      if (!doc.includes("`" + code + "`")) missing.set(code, file.slice(root.length));
    }
  }
  assert.ok(codes > 50, `found only ${codes} error codes in server/: the scan is broken`);
  const problems = [...missing].map(([code, file]) =>
    `${code} (${file}) is not in docs/ARCHITECTURE.md: add it to the table of error codes with its status`);
  assert.deepEqual(problems, [], problems.join("\n"));
});

// The codes of the table, in the first column of each row under "## Error codes".
function tableCodes(doc) {
  const section = doc.slice(doc.indexOf("## Error codes"));
  return section.split("\n").filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...line.split("|")[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
}

test("the OpenAPI spec's x-error-codes are the table's codes", () => {
  const doc = readFileSync(join(root, "docs/ARCHITECTURE.md"), "utf8");
  const spec = JSON.parse(readFileSync(join(root, "resources/openapi.json"), "utf8"));
  const listed = spec.components.schemas.Error.properties.error_code["x-error-codes"];
  const table = tableCodes(doc);
  assert.ok(table.length > 50, "docs/ARCHITECTURE.md's table of error codes was not found");
  assert.deepEqual([...listed].sort(), [...table].sort(),
    "resources/openapi.json (components.schemas.Error.properties.error_code.x-error-codes) and " +
    "docs/ARCHITECTURE.md's table of error codes must list the same codes");
});
