#!/usr/bin/env node
// Builds better-sqlite3's native module for one runtime: `node` (tests, CLI, web mode)
// or `electron` (the desktop app, whose Node ABI differs). The module lives in one place,
// so switching runtimes rebuilds it; `npm test` switches back to node by itself.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const runtime = process.argv[2];
if (runtime !== "node" && runtime !== "electron") {
  console.error("usage: node scripts/rebuildSqlite.mjs node|electron");
  process.exit(2);
}
const env = { ...process.env };
if (runtime === "electron") {
  const require = createRequire(import.meta.url);
  const electronVersion = JSON.parse(readFileSync(require.resolve("electron/package.json"), "utf8")).version;
  Object.assign(env, {
    npm_config_runtime: "electron",
    npm_config_target: electronVersion,
    npm_config_disturl: "https://electronjs.org/headers",
    // A nodedir pointing at Node's headers would build for the wrong ABI.
    npm_config_nodedir: "",
  });
  console.log(`Building better-sqlite3 for Electron ${electronVersion} (needs internet on first run)...`);
} else {
  for (const key of ["npm_config_runtime", "npm_config_target", "npm_config_disturl"]) delete env[key];
  console.log(`Building better-sqlite3 for Node ${process.version}...`);
}
execFileSync("npm", ["rebuild", "better-sqlite3"], { stdio: "inherit", env, shell: process.platform === "win32" });
