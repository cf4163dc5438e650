// Integration tests of the realtime server with the real socket.io-client@4 (the one Compass uses).
// Run: RT_TESTSERVER=build/bin/rt-testserver node --test tests/compat/realtime.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, emit, clientCount, once, collect, waitUntil, sleep, loadClient } from "./rtserver.mjs";

const { io } = loadClient();

function connect(server, opts = {}) {
  return io(server.url, { forceNew: true, reconnection: false, ...opts });
}

// Events to one socket arrive in order, so once `marker` has arrived, anything emitted before it has too.
async function barrier(server, sockets) {
  const waits = sockets.map((s) => once(s, "marker"));
  await emit(server, { to: "all", event: "marker", payload: {} });
  await Promise.all(waits);
}

test("default transports: polling first, upgrade to websocket, events on both", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const socket = connect(server);
  t.after(() => socket.close());
  const connected = await once(socket, "connected");
  assert.equal(typeof connected.message, "string");
  assert.equal(typeof socket.id, "string");
  const engine = socket.io.engine;
  if (engine.transport.name !== "websocket") await once(engine, "upgrade");
  assert.equal(engine.transport.name, "websocket");
  const got = once(socket, "models-refreshed");
  await emit(server, { to: "all", event: "models-refreshed", payload: { n: 1 } });
  assert.deepEqual(await got, { n: 1 });
});

test("polling only: events delivered on held GETs", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const socket = connect(server, { transports: ["polling"] });
  t.after(() => socket.close());
  await once(socket, "connected");
  assert.equal(socket.io.engine.transport.name, "polling");
  for (let i = 0; i < 3; i++) {
    const got = once(socket, "task-progress");
    await emit(server, { to: "job", ip: "127.0.0.1", event: "task-progress", payload: { step: i } });
    assert.deepEqual(await got, { step: i });
  }
});

test("websocket only: connects and receives events", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const socket = connect(server, { transports: ["websocket"] });
  t.after(() => socket.close());
  await once(socket, "connected");
  assert.equal(socket.io.engine.transport.name, "websocket");
  const got = once(socket, "task-started");
  await emit(server, { to: "all", event: "task-started", payload: { job_id: "abc" } });
  assert.deepEqual(await got, { job_id: "abc" });
});

test("auth: a token routes its owner's job events; admins see all; anonymous sockets get their IP's", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const user = connect(server, { auth: { token: "user:123:1" } });
  const other = connect(server, { auth: { token: "user:456:1" }, transports: ["websocket"] });
  const admin = connect(server, { auth: { token: "admin:9:3" } });
  const anon = connect(server); // Compass today: no auth, routed by IP (127.0.0.1)
  const sockets = [user, other, admin, anon];
  t.after(() => sockets.forEach((s) => s.close()));
  await Promise.all(sockets.map((s) => once(s, "connected")));
  const seen = sockets.map((s) => collect(s, "task-finished"));

  // Owner 123 submitted from another address: the owner and admins get it, the anonymous socket does not.
  await emit(server, { to: "job", id: "123", ip: "10.0.0.1", event: "task-finished", payload: { job_id: "j1" } });
  // Owner 555 submitted from 127.0.0.1: the anonymous socket (same IP) and admins; not the authenticated
  // sockets on that IP.
  await emit(server, { to: "job", id: "555", ip: "127.0.0.1", event: "task-finished", payload: { job_id: "j2" } });
  // An admin's own job from 127.0.0.1 reaches the admin once, not twice.
  await emit(server, { to: "job", id: "9", ip: "127.0.0.1", event: "task-finished", payload: { job_id: "j3" } });
  await barrier(server, sockets);

  const ids = seen.map((list) => list.map((p) => p.job_id));
  assert.deepEqual(ids[0], ["j1"], "owner 123");
  assert.deepEqual(ids[1], [], "other user 456");
  assert.deepEqual(ids[2], ["j1", "j2", "j3"], "admin");
  assert.deepEqual(ids[3], ["j2", "j3"], "anonymous socket on 127.0.0.1");

  const toOwner = once(user, "model-changed");
  await emit(server, { to: "job", id: "123", event: "model-changed", payload: { model_name: "m" } });
  assert.deepEqual(await toOwner, { model_name: "m" });
  const toAdmins = once(admin, "queue-changed");
  await emit(server, { to: "job", event: "queue-changed", payload: {} });
  await toAdmins;
  assert.equal(await clientCount(server), 4);
});

test("auth: a refused token gets connect_error 'Not authorized' and no events", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const socket = connect(server, { auth: { token: "not-a-valid-token" } });
  t.after(() => socket.close());
  const err = await once(socket, "connect_error");
  assert.equal(err.message, "Not authorized");
  assert.equal(socket.connected, false);
  assert.equal(await clientCount(server), 0);

  const wsSocket = connect(server, { auth: { token: 42 }, transports: ["websocket"] });
  t.after(() => wsSocket.close());
  assert.equal((await once(wsSocket, "connect_error")).message, "Not authorized");
});

test("payloads never carry the submitter's IP", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const socket = connect(server);
  t.after(() => socket.close());
  await once(socket, "connected");
  const got = once(socket, "task-started");
  await emit(server, {
    to: "job", id: "1", ip: "127.0.0.1", event: "task-started",
    payload: { job_id: "x", origin: "127.0.0.1" },
  });
  assert.deepEqual(await got, { job_id: "x" });
});

test("TRUST_PROXY: the address the nearest trusted proxy saw decides the IP room", async (t) => {
  // The peer (127.0.0.1) plays the proxy; it appended 10.0.0.2, the address it saw. 203.0.113.7 was written
  // by the client itself and must never be believed (defect 5: the leftmost entry used to win).
  const headers = {
    extraHeaders: { "x-forwarded-for": "203.0.113.7, 10.0.0.2", "cf-connecting-ip": "198.51.100.9" },
  };
  const cases = [
    { args: [], room: "127.0.0.1" },
    { args: ["--trust-proxy", "true"], room: "10.0.0.2" },
    { args: ["--trust-proxy", "1"], room: "10.0.0.2" },
    { args: ["--trust-proxy", "2"], room: "203.0.113.7" },
    { args: ["--trust-proxy", "loopback"], room: "10.0.0.2" },
    { args: ["--trust-proxy", "127.0.0.1, 10.0.0.0/8"], room: "203.0.113.7" },
    { args: ["--trust-proxy", "192.0.2.1"], room: "127.0.0.1" }, // the peer is no trusted proxy
    { args: ["--trust-proxy", "1", "--trust-cf-connecting-ip"], room: "198.51.100.9" },
  ];
  for (const { args, room } of cases) {
    const server = await startServer(args);
    t.after(() => server.stop());
    const socket = connect(server, headers);
    t.after(() => socket.close());
    await once(socket, "connected");
    const seen = collect(socket, "task-failed");
    for (const ip of ["127.0.0.1", "10.0.0.2", "203.0.113.7", "198.51.100.9"])
      await emit(server, { to: "job", ip, event: "task-failed", payload: { ip } });
    await barrier(server, [socket]);
    assert.deepEqual(seen, [{ ip: room }], `with ${args.join(" ") || "no TRUST_PROXY"}`);
  }
});

test("heartbeat keeps an idle connection alive past 2 x pingInterval", async (t) => {
  const server = await startServer(["--ping-interval", "300", "--ping-timeout", "200"]);
  t.after(() => server.stop());
  for (const transports of [["polling"], ["polling", "websocket"], ["websocket"]]) {
    const socket = connect(server, { transports });
    t.after(() => socket.close());
    await once(socket, "connected");
    let disconnects = 0;
    socket.on("disconnect", () => disconnects++);
    let pings = 0;
    socket.io.engine.on("ping", () => pings++);
    await waitUntil(() => pings >= 4, 15000, "four pings"); // 4 x 300 ms idle, well past 2 x pingInterval
    assert.equal(disconnects, 0, `no disconnect on ${transports}`);
    assert.equal(socket.connected, true);
    const got = once(socket, "models-refreshed");
    await emit(server, { to: "all", event: "models-refreshed", payload: {} });
    await got;
  }
});

test("a client that stops answering pings is dropped", async (t) => {
  const server = await startServer(["--ping-interval", "300", "--ping-timeout", "200"]);
  t.after(() => server.stop());
  const socket = connect(server, { transports: ["websocket"] });
  t.after(() => socket.close());
  await once(socket, "connected");
  assert.equal(await clientCount(server), 1);
  // Silence the client's pong by pausing its transport writes.
  const raw = socket.io.engine.transport.ws._socket;
  t.after(() => raw.destroy()); // a paused socket would hold the close handshake for 30 s
  raw.pause();
  socket.io.engine.transport.send = () => {};
  await waitUntil(async () => (await clientCount(server)) === 0, 15000, "the server to drop the client");
});

test("the client reconnects after the server restarts", async (t) => {
  let server = await startServer();
  const port = server.port;
  t.after(() => server.stop());
  const socket = io(server.url, { forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 500 });
  t.after(() => socket.close());
  await once(socket, "connected");
  const disconnected = once(socket, "disconnect");
  await server.stop();
  await disconnected;
  server = await startServer(["--port", String(port)]);
  await once(socket, "connected", 20000);
  assert.equal(socket.connected, true);
  const got = once(socket, "task-started");
  await emit(server, { to: "all", event: "task-started", payload: { job_id: "after-restart" } });
  assert.deepEqual(await got, { job_id: "after-restart" });
});

test("connected client count follows connects and disconnects", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const sockets = [connect(server), connect(server, { transports: ["websocket"] }), connect(server)];
  await Promise.all(sockets.map((s) => once(s, "connected")));
  assert.equal(await clientCount(server), 3);
  sockets.forEach((s) => s.close());
  await waitUntil(async () => (await clientCount(server)) === 0, 10000, "count to drop to 0");
});
