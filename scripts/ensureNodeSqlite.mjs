#!/usr/bin/env node
// Before tests: make sure better-sqlite3 is built for this Node (after `npm start`
// it is built for Electron). Rebuilds only when loading it fails on an ABI mismatch.
import { execFileSync, spawnSync } from "node:child_process";

const probe = spawnSync(process.execPath, ["-e", "new (require('better-sqlite3'))(':memory:').close()"], { encoding: "utf8" });
if (probe.status === 0) process.exit(0);
if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version|invalid ELF|wrong ELF/.test(probe.stderr)) {
  console.log("better-sqlite3 was built for another runtime (Electron); rebuilding it for Node...");
  execFileSync(process.execPath, ["scripts/rebuildSqlite.mjs", "node"], { stdio: "inherit" });
  process.exit(0);
}
console.error(probe.stderr);
process.exit(probe.status ?? 1);
