/**
 * The Electron shell: one window, a menu, and a relay between the renderer's IPC and
 * the engine's utility process. No database work happens here.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell, utilityProcess, type UtilityProcess } from "electron";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ApiResult } from "../../src-shared/api";
import { IPC_EVENT, IPC_INVOKE, type FromEngine, type ToEngine } from "./ipcProtocol";

const here = fileURLToPath(new URL(".", import.meta.url));
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

let engine: UtilityProcess | null = null;
let nextId = 1;
const pending = new Map<number, (result: ApiResult<unknown>) => void>();
let window: BrowserWindow | null = null;

function startEngine(): void {
  const dbPath = process.env.TIEOUT_DB ?? join(app.getPath("userData"), "tieout.db");
  engine = utilityProcess.fork(join(here, "engineProcess.js"), [dbPath, app.getVersion()], { serviceName: "Tieout engine" });
  engine.on("message", (message: FromEngine) => {
    switch (message.type) {
      case "result":
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
        break;
      case "event":
        window?.webContents.send(IPC_EVENT, message.event, message.payload);
        break;
      case "fatal":
        dialog.showErrorBox("Tieout cannot open its database", message.message);
        app.quit();
        break;
      case "ready":
        break;
    }
  });
  engine.on("exit", (code) => {
    for (const resolve of pending.values())
      resolve({ ok: false, error: { code: "ENGINE_STOPPED", message: `the engine stopped (exit code ${code})` } });
    pending.clear();
    engine = null;
  });
}

ipcMain.handle(IPC_INVOKE, (_event, method: unknown, args: unknown, session: unknown): Promise<ApiResult<unknown>> => {
  if (typeof method !== "string") return Promise.resolve({ ok: false, error: { code: "BAD_REQUEST", message: "method must be a string" } });
  const running = engine;
  if (!running) return Promise.resolve({ ok: false, error: { code: "ENGINE_STOPPED", message: "the engine is not running" } });
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    running.postMessage({ type: "invoke", id, method, args, session: typeof session === "string" ? session : null } satisfies ToEngine);
  });
});

function createWindow(): void {
  window = new BrowserWindow({
    width: 1366,
    height: 768,
    minWidth: 1024,
    minHeight: 640,
    title: "Tieout",
    show: false,
    webPreferences: {
      preload: join(here, "../preload/index.cjs"),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  window.once("ready-to-show", () => window?.show());
  // Links open in the user's browser, never inside the app.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith("https://")) void shell.openExternal(url);
    return { action: "deny" };
  });
  window.webContents.on("will-navigate", (event, url) => {
    if (!url.startsWith("file://") && !url.startsWith(process.env.ELECTRON_RENDERER_URL ?? "file://")) event.preventDefault();
  });
  if (process.env.ELECTRON_RENDERER_URL) void window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void window.loadFile(join(here, "../renderer/index.html"));
}

function buildMenu(): void {
  const isMac = process.platform === "darwin";
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(isMac ? [{ role: "appMenu" as const }] : []),
      { role: "fileMenu" },
      { role: "editMenu" },
      { role: "viewMenu" },
      { role: "windowMenu" },
    ]),
  );
}

app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, "Content-Security-Policy": [CSP] } });
  });
  buildMenu();
  startEngine();
  createWindow();
  app.on("activate", () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on("window-all-closed", () => {
  if (process.platform !== "darwin") app.quit();
});

app.on("before-quit", () => {
  engine?.kill();
});
