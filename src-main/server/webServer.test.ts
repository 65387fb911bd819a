import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createEngine, type Engine } from "../engine/engine";
import { LATEST_SCHEMA_VERSION } from "../engine/store/migrations";
import { startWebServer, type WebServer } from "./webServer";

let dir: string;
let engine: Engine;
let server: WebServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-web-"));
  const staticDir = join(dir, "static");
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, "index.html"), "<!doctype html><title>Tieout</title>");
  engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "web", version: "9.9.9" });
  server = await startWebServer({ engine, port: 0, staticDir });
});
afterEach(async () => {
  await server.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: server.port, path, method: "POST", headers: { "content-type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : null }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const auth = () => ({ authorization: `Bearer ${server.token}` });

describe("web server", () => {
  it("binds to loopback and prints a login URL carrying the token in the fragment", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.loginUrl).toBe(`${server.url}#token=${server.token}`);
  });

  it("answers API calls that carry the launch token", async () => {
    const { status, json } = await post("/api/app/info", {}, auth());
    expect(status).toBe(200);
    expect(json).toMatchObject({ ok: true, value: { version: "9.9.9", mode: "web", schemaVersion: LATEST_SCHEMA_VERSION } });
  });

  it("refuses API calls without the token or with a wrong one", async () => {
    expect((await post("/api/store/summary", {})).status).toBe(401);
    expect((await post("/api/store/summary", {}, { authorization: "Bearer not-the-token" })).status).toBe(401);
  });

  it("refuses a request addressed to another host name (DNS rebinding)", async () => {
    const { status } = await post("/api/store/summary", {}, { ...auth(), host: `evil.example:${server.port}` });
    expect(status).toBe(421);
  });

  it("rejects unknown methods and returns user errors as values", async () => {
    expect(await post("/api/nope/never", {}, auth())).toMatchObject({
      status: 404,
      json: { ok: false, error: { code: "UNKNOWN_METHOD" } },
    });
    const anonymous = await post("/api/rows/page", { table: "charge", offset: 0, limit: 10 }, auth());
    expect(anonymous.json).toMatchObject({ ok: false, error: { code: "NOT_SIGNED_IN" } });
    await post("/api/auth/createUser", { userId: "ana", displayName: "Ana", roles: ["preparer"], password: "pass" }, auth());
    const login = (await post("/api/auth/login", { userId: "ana", password: "pass" }, auth())).json as { value: { sessionId: string } };
    const session = { ...auth(), "x-tieout-session": login.value.sessionId };
    const bad = await post("/api/rows/page", { table: "no_such_table", offset: 0, limit: 10 }, session);
    expect(bad.json).toMatchObject({ ok: false, error: { code: "UNKNOWN_TABLE" } });
  });

  it("streams engine events over a WebSocket only to a client with the token", async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=wrong`);
    await expect(new Promise((_, reject) => refused.on("error", reject))).rejects.toThrow(/401/);

    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=${server.token}`);
    await new Promise((resolve) => socket.on("open", resolve));
    const received = new Promise<unknown>((resolve) => socket.on("message", (data) => resolve(JSON.parse(String(data)))));
    engine.events.emit("store/changed", { tables: ["charge"] });
    expect(await received).toEqual({ event: "store/changed", payload: { tables: ["charge"] } });
    socket.close();
  });

  it("serves the app with a strict Content-Security-Policy", async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await response.text()).toContain("<title>Tieout</title>");
  });
});
