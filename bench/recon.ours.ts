/**
 * Tieout's side of the recon bench, run in its own process so its peak memory is its own:
 * load the bench CSVs into a fresh store's canonical tables, run charge-reconciliation and
 * remittance-bank, and write the matches and exceptions for scoring.
 *
 * `ingest` (the default) loads the files as a user's import does: each row archived verbatim
 * with its hash, checked for duplicates, mapped by a column-mapping profile, with lineage.
 * `direct` inserts the canonical rows with plain SQL: the floor under the product's own path.
 *
 *   npx tsx bench/recon.ours.ts DIR [ingest|direct]
 */
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import type { ColumnTransform, MappingProfile } from "../src-shared/mapping";
import { ingestPaths } from "../src-main/engine/ingest/ingestPaths";
import { runReconciliation } from "../src-main/engine/recon/run";
import { camelCase } from "../src-main/engine/store/canonicalTables";
import { openStore } from "../src-main/engine/store/store";

const dir = process.argv[2]!;
const loadMode = process.argv[3] === "direct" ? "direct" : "ingest";
const t0 = performance.now();
const phases: Record<string, number> = {};
let t = performance.now();
const mark = (name: string) => {
  phases[name] = Math.round(performance.now() - t) / 1000;
  t = performance.now();
};

const dbPath = join(dir, "ours.db");
for (const suffix of ["", "-wal", "-shm"]) rmSync(dbPath + suffix, { force: true });
const store = await openStore(dbPath);

async function load(file: string, sql: string, map: (cells: string[]) => (string | number | null)[]): Promise<void> {
  const insert = store.sqlite.prepare(sql);
  const batch = store.sqlite.transaction((rows: string[][]) => {
    for (const cells of rows) insert.run(...map(cells));
  });
  let rows: string[][] = [];
  let header = true;
  for await (const line of createInterface({ input: createReadStream(join(dir, file)) })) {
    if (header) {
      header = false;
      continue;
    }
    rows.push(line.split(","));
    if (rows.length === 50_000) {
      batch.immediate(rows);
      rows = [];
    }
  }
  if (rows.length) batch.immediate(rows);
}

/** A mapping profile for one bench file: the columns map to the canonical fields of the same (snake_case) name. */
function profile(
  file: string,
  recordType: MappingProfile["recordType"],
  system: MappingProfile["system"],
  columns: [string, ColumnTransform][],
  constants: MappingProfile["constants"] = {},
): MappingProfile {
  const fields: MappingProfile["fields"] = {};
  for (const [column, transform] of columns) fields[camelCase(column)] = { column, transform };
  return {
    id: `bench/${file}`,
    name: file,
    recordType,
    system,
    headers: columns.map(([c]) => c),
    fields,
    constants: { system, ...constants },
    dateFormat: "YYYY-MM-DD",
    delimiter: ",",
  };
}

if (loadMode === "ingest") {
  const chargeColumns: [string, ColumnTransform][] = [
    ["transaction_id", "text"],
    ["account_number", "text"],
    ["cdm_code", "text"],
    ["service_date", "date"],
    ["posting_date", "date"],
    ["amount_cents", "integer-cents"],
    ["quantity", "number"],
    ["performing_npi", "text"],
  ];
  const files: [string, MappingProfile][] = [
    ["ehr_charges.csv", profile("ehr_charges.csv", "charge", "ehr", chargeColumns)],
    ["billing_charges.csv", profile("billing_charges.csv", "charge", "billing", chargeColumns)],
    [
      "remits.csv",
      profile(
        "remits.csv",
        "remittancePayment",
        "payer",
        [
          ["trace_number", "text"],
          ["payer_identifier", "text"],
          ["amount_cents", "integer-cents"],
          ["payment_date", "date"],
        ],
        { balanced: true },
      ),
    ],
    [
      "bank.csv",
      profile(
        "bank.csv",
        "bankTransaction",
        "bank",
        [
          ["bank_transaction_id", "text"],
          ["as_of_date", "date"],
          ["type_code", "text"],
          ["amount_cents", "integer-cents"],
          ["text", "text"],
          ["reassociation_trace", "text"],
          ["reassociation_payer_id", "text"],
        ],
        { bankAccount: "4410028876" },
      ),
    ],
  ];
  // One file at a time with its own profile: the two charge extracts share a header row.
  for (const [file, p] of files) {
    const summary = ingestPaths(store, [join(dir, file)], { profiles: [p] }).files[0]!;
    if (summary.loaded !== summary.records || summary.quarantined > 0)
      throw new Error(`${file}: ${summary.loaded} of ${summary.records} rows loaded: ${JSON.stringify(summary.issues.slice(0, 3))}`);
  }
} else {
  // Bulk load: a benchmark store, not a ledger; the app's stores keep synchronous = FULL.
  store.sqlite.pragma("synchronous = OFF");
  const chargeSql = `INSERT INTO charge (system, transaction_id, account_number, cdm_code, service_date, posting_date, amount_cents, quantity, performing_npi)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  await load("ehr_charges.csv", chargeSql, (c) => ["ehr", c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, Number(c[5]), Number(c[6]), c[7]!]);
  await load("billing_charges.csv", chargeSql, (c) => ["billing", c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, Number(c[5]), Number(c[6]), c[7]!]);
  await load(
    "remits.csv",
    "INSERT INTO remittance_payment (system, trace_number, payer_identifier, amount_cents, payment_date, balanced) VALUES ('payer', ?, ?, ?, ?, 1)",
    (c) => [c[0]!, c[1]!, Number(c[2]), c[3]!],
  );
  await load(
    "bank.csv",
    `INSERT INTO bank_transaction (system, bank_transaction_id, bank_account, as_of_date, type_code, amount_cents, text, reassociation_trace, reassociation_payer_id)
     VALUES ('bank', ?, '4410028876', ?, ?, ?, ?, ?, ?)`,
    (c) => [c[0]!, c[1]!, c[2]!, Number(c[3]), c[4]!, c[5] || null, c[6] || null],
  );
}
// The runs below write with the app's setting.
store.sqlite.pragma("synchronous = FULL");
mark("load");

const results: Record<string, unknown> = {};
for (const templateId of ["charge-reconciliation", "remittance-bank"]) {
  const s = runReconciliation(store, templateId, "2026-10", { actor: "bench" });
  results[templateId] = {
    left: s.leftRows,
    right: s.rightRows,
    exceptions: s.exceptionsByReason,
    unexplainedCents: s.balance.unexplainedCents,
    phasesMs: s.phasesMs,
  };
  mark(templateId);
}

const matches = createWriteStream(join(dir, "ours_matches.csv"));
matches.write("template,left_key,right_key\n");
// Confirmed groups first, then every grouped item in one sequential pass over the table
// (walking the group index instead reads a million rows in random order).
const confirmed = new Map<number, string>();
for (const [id, template] of store.sqlite
  .prepare(
    `SELECT g.id, c.template_id FROM match_group g JOIN reconciliation c ON c.id = g.reconciliation_id WHERE g.kind IN ('auto', 'manual')`,
  )
  .raw(true)
  .iterate() as IterableIterator<[number, string]>) {
  confirmed.set(id, template);
}
const groups = new Map<number, { template: string; left: string[]; right: string[] }>();
for (const [id, side, key] of store.sqlite
  .prepare("SELECT group_id, side, row_key FROM recon_item NOT INDEXED WHERE group_id IS NOT NULL")
  .raw(true)
  .iterate() as IterableIterator<[number, "left" | "right", string]>) {
  const template = confirmed.get(id);
  if (template === undefined) continue;
  let g = groups.get(id);
  if (!g) groups.set(id, (g = { template, left: [], right: [] }));
  g[side].push(key);
}
let buf: string[] = [];
for (const g of groups.values()) {
  for (const l of g.left) for (const r of g.right) buf.push(`${g.template},${l},${r}`);
  if (buf.length > 10_000) {
    matches.write(buf.join("\n") + "\n");
    buf = [];
  }
}
if (buf.length) matches.write(buf.join("\n") + "\n");
await new Promise<void>((resolve) => matches.end(resolve));
const exceptions = createWriteStream(join(dir, "ours_exceptions.csv"));
exceptions.write("template,reason,side,key\n");
for (const e of store.sqlite
  .prepare(
    "SELECT c.template_id, e.reason, e.left_keys_json, e.right_keys_json FROM recon_exception e JOIN reconciliation c ON c.id = e.reconciliation_id",
  )
  .iterate() as IterableIterator<{ template_id: string; reason: string; left_keys_json: string; right_keys_json: string }>) {
  for (const k of JSON.parse(e.left_keys_json) as string[]) exceptions.write(`${e.template_id},${e.reason},L,${k}\n`);
  for (const k of JSON.parse(e.right_keys_json) as string[]) exceptions.write(`${e.template_id},${e.reason},R,${k}\n`);
}
await new Promise<void>((resolve) => exceptions.end(resolve));
mark("write");
await store.close();
console.log(
  JSON.stringify({
    engine: "tieout",
    load: loadMode,
    wallSeconds: Math.round(performance.now() - t0) / 1000,
    phases,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    results,
  }),
);
