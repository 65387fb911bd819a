import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/store";
import { ingestFile } from "./ingestFile";
import { ingestPaths } from "./ingestPaths";
import { saveProfile } from "./profiles";
import { replayQuarantined } from "./replay";
import { listConnectors } from "./sources";

const samples = resolve("fixtures/samples/hl7v2");
let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-ingest-"));
  store = await openStore(join(dir, "t.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (sql: string) => (store.sqlite.prepare(sql).get() as { n: number }).n;

describe("ingestFile", () => {
  it("archives every message verbatim with its hash, then loads its records with lineage", () => {
    const summary = ingestFile(store, join(samples, "dft-credit-reversal.hl7"));
    expect(summary).toMatchObject({
      format: "hl7v2",
      system: "ehr",
      records: 1,
      loaded: 1,
      quarantined: 0,
      duplicates: 0,
      duplicateFile: false,
    });
    const raw = store.sqlite.prepare("SELECT id, content, sha256, status, control_id FROM raw_record").get() as {
      id: number;
      content: string;
      sha256: string;
      status: string;
      control_id: string;
    };
    expect(raw.status).toBe("loaded");
    expect(raw.control_id).toContain("DFT-0001");
    expect(raw.content.startsWith("MSH|^~\\&|TIEOUT_EHR")).toBe(true);
    expect(raw.sha256).toMatch(/^[0-9a-f]{64}$/);
    const charges = store.sqlite.prepare("SELECT transaction_id, amount_cents, raw_record_id FROM charge ORDER BY id").all() as {
      transaction_id: string;
      amount_cents: number;
      raw_record_id: number;
    }[];
    expect(charges.length).toBeGreaterThanOrEqual(4);
    expect(charges[0]).toMatchObject({ transaction_id: "T1001", amount_cents: 25000, raw_record_id: raw.id });
    expect(charges.every((c) => c.raw_record_id === raw.id)).toBe(true);
  });

  it("changes nothing when the same file is imported twice, even under another name", () => {
    ingestFile(store, join(samples, "dft-credit-reversal.hl7"));
    const before = count("SELECT COUNT(*) AS n FROM charge");
    const copy = join(dir, "renamed.hl7");
    copyFileSync(join(samples, "dft-credit-reversal.hl7"), copy);
    const again = ingestFile(store, copy);
    expect(again.duplicateFile).toBe(true);
    expect(count("SELECT COUNT(*) AS n FROM charge")).toBe(before);
    expect(count("SELECT COUNT(*) AS n FROM raw_record")).toBe(1);
  });

  it("does not load a message again when it arrives in another file (same MSH-10)", () => {
    ingestFile(store, join(samples, "dft-credit-reversal.hl7"));
    const other = join(dir, "resend.hl7");
    // The same message re-sent with a trailing blank line: different file bytes, same control id.
    writeFileSync(other, Buffer.concat([Buffer.from(readFileSync(join(samples, "dft-credit-reversal.hl7"))), Buffer.from("\r\n")]));
    const summary = ingestFile(store, other);
    expect(summary).toMatchObject({ records: 1, loaded: 0, duplicates: 1 });
    expect(count("SELECT COUNT(*) AS n FROM raw_record")).toBe(1);
  });

  it("quarantines bad messages with file, line, segment and field, and loads the rest of the file", () => {
    const summary = ingestFile(store, join(samples, "malformed.hl7"));
    expect(summary.quarantined).toBeGreaterThanOrEqual(2);
    expect(summary.loaded).toBeGreaterThanOrEqual(1);
    const reasons = (
      store.sqlite.prepare("SELECT issues_json FROM raw_record WHERE status = 'quarantined'").all() as { issues_json: string }[]
    )
      .flatMap((r) => JSON.parse(r.issues_json) as { message: string; severity: string }[])
      .filter((i) => i.severity === "error")
      .map((i) => i.message);
    expect(reasons.some((m) => /malformed\.hl7 line \d+, FT1-11.*12,50/.test(m))).toBe(true);
    expect(count("SELECT COUNT(*) AS n FROM encounter")).toBeGreaterThanOrEqual(1);
  });

  it("archives a file it cannot read at all, whole, in quarantine", () => {
    const junk = join(dir, "notes.txt");
    writeFileSync(junk, "\u0000\u0001 this is not a health data file \u0002");
    const summary = ingestFile(store, junk);
    expect(summary.quarantined).toBe(1);
    const raw = store.sqlite.prepare("SELECT kind, content, status FROM raw_record").get() as {
      kind: string;
      content: string;
      status: string;
    };
    expect(raw).toMatchObject({ kind: "file", status: "quarantined" });
    expect(raw.content).toContain("this is not a health data file");
  });

  it("replays a corrected quarantined message and keeps the original, marked replayed", () => {
    ingestFile(store, join(samples, "malformed.hl7"));
    const bad = store.sqlite
      .prepare("SELECT id, content FROM raw_record WHERE status = 'quarantined' AND content LIKE '%12,50%'")
      .get() as { id: number; content: string };
    const result = replayQuarantined(store, bad.id, bad.content.replace("12,50", "12.50"));
    expect(result.status).toBe("loaded");
    expect(store.sqlite.prepare("SELECT status FROM raw_record WHERE id = ?").get(bad.id)).toEqual({ status: "replayed" });
    expect(store.sqlite.prepare("SELECT replay_of FROM raw_record WHERE id = ?").get(result.rawRecordId)).toEqual({ replay_of: bad.id });
    expect(store.sqlite.prepare("SELECT amount_cents FROM charge WHERE transaction_id = 'T9001'").get()).toEqual({ amount_cents: 1250 });
  });

  it("counts received, loaded, quarantined and duplicates per connector", () => {
    ingestFile(store, join(samples, "dft-credit-reversal.hl7"));
    ingestFile(store, join(samples, "malformed.hl7"));
    const hl7 = listConnectors(store).find((c) => c.connector === "hl7v2");
    expect(hl7).toBeDefined();
    expect(hl7!.loaded).toBeGreaterThanOrEqual(2);
    expect(hl7!.quarantined).toBeGreaterThanOrEqual(2);
    expect(hl7!.received).toBe(hl7!.loaded + hl7!.ignored + hl7!.quarantined + hl7!.duplicates);
    expect(hl7!.lastActivityAt).not.toBeNull();
  });
});

describe("the committed samples of every format", () => {
  it("detect, load and quarantine as each format's reader decides (no corpus needed)", () => {
    const folders = ["bai2", "fhir", "hl7v2", "tabular", "x12"].map((f) => resolve("fixtures/samples", f));
    const result = ingestPaths(store, folders);
    const byFormat = new Map<string, number>();
    for (const f of result.files) byFormat.set(f.format ?? "unknown", (byFormat.get(f.format ?? "unknown") ?? 0) + f.loaded);
    expect([...byFormat.keys()].sort()).toEqual(["bai2", "csv", "fhir", "hl7v2", "x12-835", "x12-837"]);
    for (const format of ["bai2", "fhir", "hl7v2", "x12-835", "x12-837"]) expect(byFormat.get(format), format).toBeGreaterThan(0);
    for (const table of [
      "encounter",
      "charge",
      "claim",
      "claim_line",
      "claim_payment",
      "remittance_payment",
      "remittance_adjustment",
      "bank_transaction",
      "supply_usage",
    ]) {
      expect(count(`SELECT COUNT(*) AS n FROM ${table}`), table).toBeGreaterThan(0);
    }
    // A CSV of a layout nobody mapped yet is kept whole, with the reason, until it is mapped.
    const csv = result.files.find((f) => f.file.endsWith("charges.csv"))!;
    expect(csv.quarantined).toBe(1);
    expect(csv.issues[0]?.message).toMatch(/no mapping profile .*map it in the import wizard/);
  });

  it("loads a CSV once its layout is mapped, and later files of that layout without asking", () => {
    const sample = resolve("fixtures/samples/tabular/charges.csv");
    const header = readFileSync(sample, "utf8").split(/\r?\n/)[0]!;
    saveProfile(store, {
      id: "billing-charges",
      name: "Billing charges",
      recordType: "charge",
      system: "billing",
      headers: header.split(",").map((h) => h.trim().toLowerCase()),
      dateFormat: "MM/DD/YYYY",
      fields: {
        transactionId: { column: "Txn ID", transform: "text" },
        accountNumber: { column: "Acct No", transform: "text" },
        serviceDate: { column: "Svc Date", transform: "date" },
        cdmCode: { column: "CDM", transform: "text" },
        quantity: { column: "Qty", transform: "number" },
        amountCents: { column: "Amount", transform: "decimal-cents" },
        description: { column: "Description", transform: "text" },
      },
    });
    const summary = ingestFile(store, sample);
    expect(summary.quarantined + summary.loaded).toBe(summary.records);
    expect(summary.loaded).toBeGreaterThan(0);
    // An overlapping extract: rows already archived (same bytes, no control id) are duplicates,
    // found by their hash; only the new row loads.
    const lines = readFileSync(sample, "utf8")
      .split(/\r?\n/)
      .filter((l) => l !== "");
    const good = lines.slice(1).filter((_, k) => k < 2);
    const overlap = join(dir, "overlap.csv");
    writeFileSync(overlap, [lines[0], ...good, good[0]!.replace(/^[^,]*/, "NEW-TXN-1")].join("\n") + "\n");
    const charges = count("SELECT COUNT(*) AS n FROM charge");
    const again = ingestFile(store, overlap);
    expect(again).toMatchObject({ duplicateFile: false, records: 3, duplicates: 2, loaded: 1 });
    expect(count("SELECT COUNT(*) AS n FROM charge")).toBe(charges + 1);
    // The sample's deliberately bad amount is quarantined with the row, column and value.
    const bad = store.sqlite.prepare("SELECT issues_json FROM raw_record WHERE status = 'quarantined'").all() as { issues_json: string }[];
    expect(
      bad.flatMap((b) => JSON.parse(b.issues_json) as { message: string }[]).some((i) => /charges\.csv line \d+, Amount/.test(i.message)),
    ).toBe(true);
  });
});
