import { randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { WebSocketServer, type WebSocket } from "ws";
import type { ApiResult } from "../../src-shared/api";
import { toApiError, type Engine } from "../engine/engine";

export interface WebServerOptions {
  engine: Engine;
  /** Defaults to loopback; anything else must be asked for explicitly. */
  host?: string;
  port?: number;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  /** Defaults to a fresh random token per launch. */
  token?: string;
}

export interface WebServer {
  url: string;
  /** The URL to open: carries the launch token once; the page then drops it from the address bar. */
  loginUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

/** Same policy as the Electron window: our own scripts only, data only from this server. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const MAX_BODY_BYTES = 10 * 1024 * 1024;

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Web mode's front door: the React app, a JSON API at POST /api/<method>, and an
 * event stream over a WebSocket at /events. It binds to loopback by default and every
 * API call and event subscription must carry the per-launch token, so another local
 * process or a web page in the user's browser cannot drive it. The Host header is
 * checked too, so a DNS-rebinding page cannot reach it under another name.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? randomBytes(24).toString("base64url");
  const { engine, staticDir } = options;
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
  let port = 0;

  const hostAllowed = (header: string | undefined): boolean => {
    if (!header) return false;
    if (!loopback) return true;
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    return allowed.includes(header.toLowerCase());
  };

  const bearer = (req: IncomingMessage): string | null => {
    const header = req.headers.authorization;
    return header?.startsWith("Bearer ") ? header.slice(7) : null;
  };

  const serveStatic = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const indexPath = join(staticDir, "index.html");
    if (!existsSync(indexPath)) {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
      res.end(`The Tieout web UI is not built yet. Run: npm run build:web (looked in ${staticDir})\n`);
      return;
    }
    const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, "");
    let filePath = join(staticDir, relative);
    if (!filePath.startsWith(staticDir + sep) && filePath !== staticDir) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(filePath) || statSync(filePath).isDirectory()) filePath = indexPath; // client-side routes
    const headers: Record<string, string> = {
      "content-type": MIME[extname(filePath)] ?? "application/octet-stream",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    };
    if (filePath === indexPath) {
      headers["content-security-policy"] = CONTENT_SECURITY_POLICY;
      headers["cache-control"] = "no-store";
      headers["x-frame-options"] = "DENY";
    } else {
      headers["cache-control"] = "public, max-age=3600";
    }
    res.writeHead(200, headers);
    if (req.method === "HEAD") res.end();
    else createReadStream(filePath).pipe(res);
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (!hostAllowed(req.headers.host)) {
        sendJson(res, 421, {
          ok: false,
          error: { code: "MISDIRECTED", message: `this server answers only to its loopback address, not to "${req.headers.host ?? ""}"` },
        });
        return;
      }
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname.startsWith("/api/")) {
        if (req.method !== "POST") {
          sendJson(res, 405, { ok: false, error: { code: "METHOD_NOT_ALLOWED", message: "use POST" } });
          return;
        }
        if (!sameToken(bearer(req), token)) {
          sendJson(res, 401, { ok: false, error: { code: "UNAUTHORIZED", message: "missing or wrong launch token" } });
          return;
        }
        const method = url.pathname.slice("/api/".length);
        if (!engine.isMethod(method)) {
          sendJson(res, 404, { ok: false, error: { code: "UNKNOWN_METHOD", message: `Tieout has no method "${method}"` } });
          return;
        }
        let args: unknown;
        try {
          const body = await readBody(req);
          args = body ? JSON.parse(body) : {};
        } catch (error) {
          sendJson(res, 400, {
            ok: false,
            error: { code: "BAD_REQUEST", message: `the request body is not JSON: ${(error as Error).message}` },
          });
          return;
        }
        let result: ApiResult<unknown>;
        try {
          const session = req.headers["x-tieout-session"];
          result = { ok: true, value: await engine.invoke(method, args as never, typeof session === "string" ? session : null) };
        } catch (error) {
          result = { ok: false, error: toApiError(error) };
        }
        sendJson(res, 200, result);
        return;
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405).end();
        return;
      }
      serveStatic(req, res, url.pathname);
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toApiError(error) });
      else res.destroy();
    });
  });

  const sockets = new WebSocketServer({ noServer: true });
  const clients = new Set<WebSocket>();
  const stopForwarding = engine.events.onAny((event, payload) => {
    const message = JSON.stringify({ event, payload });
    for (const client of clients) if (client.readyState === client.OPEN) client.send(message);
  });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const origin = req.headers.origin;
    const originOk = !origin || (loopback ? hostAllowed(new URL(origin).host) : true);
    if (url.pathname !== "/events" || !hostAllowed(req.headers.host) || !originOk || !sameToken(url.searchParams.get("token"), token)) {
      socket.write("HTTP/1.1 401 Unauthorized\r\n\r\n");
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on("close", () => clients.delete(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;
  return {
    url,
    loginUrl: `${url}#token=${token}`,
    port,
    token,
    async close() {
      stopForwarding();
      for (const client of clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
