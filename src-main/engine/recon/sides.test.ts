import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/store";
import { loadSide, periodWindow, rowHash } from "./sides";

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-sides-"));
  store = await openStore(join(dir, "t.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("reading a side", () => {
  it("keeps every row, repeats of a key made distinguishable, values as SQLite gave them", () => {
    const insert = store.sqlite.prepare(
      `INSERT INTO charge (system, transaction_id, account_number, cdm_code, service_date, posting_date, amount_cents, quantity)
       VALUES ('ehr', ?, ?, '3000443', '2026-10-13', '2026-10-13', ?, 1)`,
    );
    insert.run("C1", "4000000001", 16000);
    insert.run("C1", "4000000002", -16000);
    insert.run("C2", "4000000001", 500);
    const side = loadSide(
      store,
      "t",
      "left",
      {
        label: "EHR",
        recordTypes: ["charge"],
        sql: `SELECT 'ehr:' || transaction_id AS row_key, 'charge' AS source_table, id AS source_id, amount_cents, service_date AS row_date,
                account_number, cdm_code FROM charge WHERE service_date BETWEEN :from AND :to ORDER BY id`,
      },
      periodWindow("2026-10", 7),
    );
    expect(side.rows.map((r) => r.key)).toEqual(["ehr:C1", "ehr:C1#2", "ehr:C2"]);
    expect([...side.index]).toEqual([
      ["ehr:C1", 0],
      ["ehr:C1#2", 1],
      ["ehr:C2", 2],
    ]);
    expect(side.rows.map((r) => r.amount)).toEqual([16000, -16000, 500]);
    expect(side.rows[1]!.values).toEqual({
      row_key: "ehr:C1",
      source_table: "charge",
      source_id: 2,
      amount_cents: -16000,
      row_date: "2026-10-13",
      account_number: "4000000002",
      cdm_code: "3000443",
    });
    // Rows differing in one field hash apart; the same rows hash alike on another read.
    expect(new Set(side.rows.map((r) => r.hash)).size).toBe(3);
  });
});

describe("rowHash", () => {
  it("is stable, and tells apart texts a character or a position apart", () => {
    expect(rowHash('{"a":1}')).toBe(rowHash('{"a":1}'));
    expect(rowHash('{"a":1}')).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(rowHash(`{"amount_cents":${i},"cdm_code":"3000443"}`));
    expect(seen.size).toBe(200_000);
    expect(rowHash('{"a":"12"}')).not.toBe(rowHash('{"a":"21"}'));
    expect(rowHash("")).not.toBe(rowHash("\u0000"));
  });
});
