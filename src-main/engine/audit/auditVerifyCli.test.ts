import BetterSqlite3 from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../store/store";
import { appendAudit } from "./auditLog";

let dir: string;
let dbPath: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-verify-"));
  dbPath = join(dir, "t.db");
  const store = await openStore(dbPath);
  for (let k = 1; k <= 5; k++) appendAudit(store, { actor: "ana", action: "match", entityType: "match_group", entityId: `MG-${k}` });
  await store.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const verify = () => spawnSync(process.execPath, ["bin/tieout.mjs", "audit", "verify", "--db", dbPath], { encoding: "utf8" });

/** Tampers as someone with the file would: drop the append-only triggers, then edit. */
function tamper(statement: string): void {
  const db = new BetterSqlite3(dbPath);
  db.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
  db.exec(statement);
  db.close();
}

describe("tieout audit verify", () => {
  it("exits 0 on an intact chain", () => {
    const run = verify();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("audit trail intact, 5 entries");
  });

  it("exits 1 and names the first altered entry", () => {
    tamper("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
    const run = verify();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("BROKEN at entry 3");
    expect(run.stderr).toContain("was altered after it was written");
  });

  it("exits 1 and names a removed entry", () => {
    tamper("DELETE FROM audit_log WHERE seq = 2");
    const run = verify();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("entry 2 is missing");
  });
});
