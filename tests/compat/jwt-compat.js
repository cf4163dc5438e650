// JWT interoperability with the original Navigator, which signs and verifies with npm jsonwebtoken.
//   node jwt-compat.js sign <secret>            -> JSON object of tokens signed the way the original signs them
//   node jwt-compat.js verify <secret> <token>  -> JSON {ok, payload} or {ok:false, error}
"use strict";
const jwt = require("jsonwebtoken");

const [mode, secret, token] = process.argv.slice(2);

if (mode === "sign") {
  const now = Math.floor(Date.now() / 1000);
  const out = {
    // routes/auth.js: login with TOKEN_EXPIRATION_TIME (default "72h", example "14d"), or no expiry for -1.
    login72h: jwt.sign({ discord_id: "123456789012345678", role: 1 }, secret, { expiresIn: "72h" }),
    login14d: jwt.sign({ discord_id: "123456789012345678", role: 3 }, secret, { expiresIn: "14d" }),
    neverExpires: jwt.sign({ discord_id: "123456789012345678", role: 2 }, secret),
    demo: jwt.sign({ discord_id: "demo_user", role: 2 }, secret, { expiresIn: "3hr" }),
    // The same claims as JwtCodec's sign("123456789012345678", 1, 72 h, iat 1700000000): byte for byte equal.
    fixedIat: jwt.sign({ discord_id: "123456789012345678", role: 1, iat: 1700000000 }, secret, { expiresIn: "72h" }),
    expired: jwt.sign({ discord_id: "123456789012345678", role: 1, iat: now - 7200 }, secret, { expiresIn: "1h" }),
    notBefore: jwt.sign({ discord_id: "123456789012345678", role: 1 }, secret, { notBefore: "1h" }),
    hs512: jwt.sign({ discord_id: "123456789012345678", role: 4 }, secret, { algorithm: "HS512" }),
    otherSecret: jwt.sign({ discord_id: "123456789012345678", role: 4 }, secret + "x"),
  };
  process.stdout.write(JSON.stringify(out));
} else if (mode === "verify") {
  // The original verifies with jwt.verify(token, SECRET_KEY) and default options.
  try {
    const payload = jwt.verify(token, secret);
    process.stdout.write(JSON.stringify({ ok: true, payload }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: e.message }));
  }
} else {
  process.stderr.write("usage: jwt-compat.js sign <secret> | verify <secret> <token>\n");
  process.exit(2);
}
