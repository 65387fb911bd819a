import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/store";
import { rowPage } from "./rowPage";

let dir: string;
let store: Store;
const N = 6_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-rows-"));
  store = await openStore(join(dir, "t.db"));
  const insert = store.sqlite.prepare(
    "INSERT INTO charge (system, transaction_id, cdm_code, quantity, amount_cents, service_date) VALUES (?, ?, 'C', 1, ?, '2026-10-01')",
  );
  store.sqlite.transaction(() => {
    for (let i = 0; i < N; i++) insert.run(i % 2 ? "ehr" : "billing", `T${i}`, (i * 7919) % 10_007);
  })();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r.transaction_id);

describe("rowPage", () => {
  it("returns the same rows for a deep page as one ordered query would, sorted and filtered", () => {
    const request = {
      table: "charge",
      sort: [{ column: "amount_cents", direction: "desc" as const }],
      filters: [{ column: "system", kind: "text" as const, op: "equals" as const, value: "ehr" }],
    };
    const all = store.sqlite.prepare("SELECT transaction_id FROM charge WHERE system = 'ehr' ORDER BY amount_cents DESC, id ASC").all() as {
      transaction_id: string;
    }[];
    for (const offset of [0, 1_900, 2_500, 2_900]) {
      const page = rowPage(store, { ...request, offset, limit: 100 });
      expect(page.total).toBe(N / 2);
      expect(ids(page.rows)).toEqual(all.slice(offset, offset + 100).map((r) => r.transaction_id));
    }
  });

  it("sees rows written after a deep page was served (the cached order is rebuilt)", () => {
    const before = rowPage(store, { table: "charge", offset: 5_000, limit: 10 });
    store.sqlite
      .prepare(
        "INSERT INTO charge (system, transaction_id, cdm_code, quantity, amount_cents, service_date) VALUES ('ehr', 'NEW', 'C', 1, 1, '2026-10-02')",
      )
      .run();
    const after = rowPage(store, { table: "charge", offset: N - 5, limit: 10 });
    expect(after.total).toBe(before.total + 1);
    expect(ids(after.rows)).toContain("NEW");
  });

  it("refuses unknown tables and columns with a readable error", () => {
    expect(() => rowPage(store, { table: "sqlite_master", offset: 0, limit: 10 })).toThrow(/no table "sqlite_master"/);
    expect(() =>
      rowPage(store, { table: "charge", offset: 0, limit: 10, sort: [{ column: "id; DROP TABLE charge", direction: "asc" }] }),
    ).toThrow(/no column/);
  });
});
