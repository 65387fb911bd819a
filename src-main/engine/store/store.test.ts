import BetterSqlite3 from "better-sqlite3";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CanonicalRecord } from "../../../src-shared/model";
import { UnitLoader } from "../ingest/loadUnits";
import { CANONICAL_TABLES, CANONICAL_TYPES, recordColumns } from "./canonicalTables";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { LATEST_SCHEMA_VERSION, MIGRATION_NAMES, migrations } from "./migrations";
import { SAMPLE_RECORDS } from "./sampleRecords.test-helper";
import { openStore, StoreError } from "./store";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tieout-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("store", () => {
  it("creates a new database at the latest schema with WAL and foreign keys on", async () => {
    const store = await openStore(join(dir, "new.db"));
    expect(store.applied).toEqual(MIGRATION_NAMES);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(store.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(store.sqlite.pragma("user_version", { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    await store.close();
  });

  it("opens a second time migrating nothing and losing nothing", async () => {
    const path = join(dir, "twice.db");
    const first = await openStore(path);
    const loader = new UnitLoader(first.sqlite);
    loader.load(
      { kind: "test", controlId: "X1", text: "raw", line: 1, records: [SAMPLE_RECORDS.charge], issues: [] },
      { connector: "test", sourceFileId: null, receivedAt: "2026-10-01T00:00:00Z" },
    );
    await first.close();
    const second = await openStore(path);
    expect(second.applied).toEqual([]);
    expect(second.sqlite.prepare("SELECT amount_cents FROM charge").all()).toEqual([{ amount_cents: 12550 }]);
    expect(second.sqlite.prepare("SELECT COUNT(*) AS n FROM raw_record").get()).toEqual({ n: 1 });
    await second.close();
  });

  it("upgrades a database written at every older schema version", async () => {
    // Version 0 is an empty file from before the first migration. Each later version
    // is reproduced by applying the migrations up to it with kysely's own table.
    for (let version = 0; version < LATEST_SCHEMA_VERSION; version++) {
      const path = join(dir, `v${version}.db`);
      const raw = new BetterSqlite3(path);
      raw.pragma("journal_mode = WAL");
      if (version > 0) {
        const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
        const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateTo(
          MIGRATION_NAMES[version - 1]!,
        );
        expect(error).toBeUndefined();
        await db.destroy();
      } else {
        raw.close();
      }
      const store = await openStore(path);
      expect(store.applied).toEqual(MIGRATION_NAMES.slice(version));
      expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      await store.close();
    }
  });

  it("refuses a database written by a newer version, naming both versions, and leaves it untouched", async () => {
    const path = join(dir, "newer.db");
    const store = await openStore(path);
    store.sqlite
      .prepare("INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)")
      .run("9999_from_the_future", new Date().toISOString());
    await store.close();
    const error = await openStore(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe("SCHEMA_TOO_NEW");
    expect((error as StoreError).message).toContain("newer version of Tieout");
    expect((error as StoreError).message).toContain("9999_from_the_future");
    expect((error as StoreError).message).toContain(MIGRATION_NAMES[MIGRATION_NAMES.length - 1]!);
    const check = new BetterSqlite3(path, { readonly: true });
    expect(check.prepare("SELECT COUNT(*) AS n FROM kysely_migration").get()).toEqual({ n: MIGRATION_NAMES.length + 1 });
    check.close();
  });

  it("refuses a file that is not a database with a readable message", async () => {
    const path = join(dir, "notes.db");
    writeFileSync(path, "this is not sqlite, it is a shopping list\n".repeat(200));
    const error = await openStore(path).catch((e: unknown) => e);
    expect((error as StoreError).code).toBe("NOT_A_TIEOUT_DATABASE");
    expect((error as StoreError).message).toContain(path);
  });

  it("has a table for every canonical type whose columns are exactly the model's fields", async () => {
    const store = await openStore(join(dir, "columns.db"));
    for (const type of CANONICAL_TYPES) {
      const table = CANONICAL_TABLES[type].table;
      const actual = (store.sqlite.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).sort();
      const expected = [...recordColumns(SAMPLE_RECORDS[type] as CanonicalRecord).columns, "id", "raw_record_id"].sort();
      expect(actual, table).toEqual(expected);
    }
    await store.close();
  });

  it("keeps money as integer cents in every *_cents column", async () => {
    const store = await openStore(join(dir, "money.db"));
    const loader = new UnitLoader(store.sqlite);
    loader.load(
      {
        kind: "test",
        controlId: null,
        text: "all types",
        line: 1,
        records: Object.values(SAMPLE_RECORDS) as CanonicalRecord[],
        issues: [],
      },
      { connector: "test", sourceFileId: null, receivedAt: "2026-10-01T00:00:00Z" },
    );
    for (const type of CANONICAL_TYPES) {
      const table = CANONICAL_TABLES[type].table;
      const columns = (store.sqlite.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string }[]).filter((c) =>
        c.name.endsWith("_cents"),
      );
      for (const column of columns) {
        expect(column.type, `${table}.${column.name}`).toBe("INTEGER");
        const row = store.sqlite.prepare(`SELECT typeof(${column.name}) AS t FROM ${table}`).get() as { t: string };
        expect(["integer", "null"], `${table}.${column.name}`).toContain(row.t);
      }
    }
    await store.close();
  });
});
