import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconRunSummary as EngineRunSummary } from "../../../src-shared/api/recon";
import { buildDemo } from "../../demo/buildDemo";
import { signOff, signoffStatus } from "../audit/signoff";
import { confirmGroups, explainItems, unmatchGroups } from "../recon/decisions";
import { activeRules, saveRules } from "../recon/rules";
import { runReconciliation } from "../recon/run";
import { openStore, type Store } from "../store/store";
import ExcelJS from "exceljs";
import { listAudit } from "../audit/auditLog";
import { exportExceptionsWorkbook, importExceptionsWorkbook } from "./exceptionsRoundtrip";
import { exportWorkpaper } from "./exportWorkpaper";
import { cellAt, findSoffice, recalculatedSheets } from "./libreOffice.test-helper";
import { reconSourceFor } from "./reconSource";

const PERIOD = "2026-10";
const TEMPLATES = ["claim-remittance", "remittance-bank", "charge-reconciliation"];

let dir: string;
let store: Store;
const runs = new Map<string, EngineRunSummary>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-store-wp-"));
  store = await openStore(join(dir, "demo.db"));
  await buildDemo(store, { encounters: 150, outDir: join(dir, "demo") });
  for (const id of TEMPLATES) runs.set(id, runReconciliation(store, id, PERIOD, { actor: "system" }));
}, 120_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const soffice = findSoffice();

describe("workpapers of the demo health system's reconciliations", () => {
  for (const id of TEMPLATES) {
    it(`reads ${id}'s figures as the recon engine's balance has them`, () => {
      const balance = runs.get(id)!.balance;
      const summary = reconSourceFor(store).summary(id, PERIOD)!;
      expect(summary.leftBalanceCents).toBe(balance.leftTotalCents);
      expect(summary.rightBalanceCents).toBe(balance.rightTotalCents);
      expect(summary.matchedCount).toBe(balance.matchedLeftRows + balance.matchedRightRows);
      // The engine signs reconciling lines as their effect on left − right; the workpaper as what takes left to right.
      const engineByReason = new Map<string, number>();
      for (const line of balance.reconciling) engineByReason.set(line.reason, (engineByReason.get(line.reason) ?? 0) - line.amountCents);
      const ours = new Map(summary.reconcilingByReason.map((r) => [r.reason, r.amountCents]));
      for (const [reason, cents] of engineByReason)
        if (cents !== 0 || ours.has(reason)) expect([reason, ours.get(reason) ?? 0]).toEqual([reason, cents]);
      expect(balance.unexplainedCents).toBe(0);
      const extract = [...reconSourceFor(store).auditExtract(id, PERIOD)];
      expect(extract.some((e) => e.action === "recon-run" && e.entityId === `${id}/${PERIOD}`)).toBe(true);
      expect(extract.some((e) => e.entityType === "source_file" && e.action === "import")).toBe(true);
    });

    it.skipIf(!soffice)(
      `writes ${id}'s workpaper that LibreOffice recalculates to a zero difference and the engine's totals`,
      async () => {
        const balance = runs.get(id)!.balance;
        const { written } = await exportWorkpaper(
          store,
          reconSourceFor(store),
          { reconId: id, period: PERIOD, outPath: join(dir, `${id}.xlsx`) },
          "cli:test",
        );
        const sheets = recalculatedSheets(soffice!, written.path, join(dir, `lo-${id}`));
        const cents = (ref: string) => Math.round(Number(cellAt(sheets, ref)) * 100);
        expect(cellAt(sheets, written.summaryCells.difference)).toBe("0");
        expect(cellAt(sheets, written.summaryCells.detailDifference)).toBe("0");
        expect(cents(written.summaryCells.leftBalance)).toBe(balance.leftTotalCents);
        expect(cents(written.summaryCells.rightBalance)).toBe(balance.rightTotalCents);
        expect(cents(written.summaryCells.totalReconciling)).toBe(balance.rightTotalCents - balance.leftTotalCents);
        expect(cents(written.summaryCells.detailTotal)).toBe(balance.rightTotalCents - balance.leftTotalCents);
      },
      180_000,
    );
  }

  it("counts the matched rows of confirmed groups as decisions leave them (confirm a suggestion, unmatch a match)", () => {
    const join = () =>
      (
        store.sqlite
          .prepare(
            `SELECT COUNT(*) AS n FROM recon_item i JOIN match_group g ON g.id = i.group_id JOIN reconciliation c ON c.id = i.reconciliation_id
             WHERE c.template_id = 'charge-reconciliation' AND c.period = ? AND g.kind IN ('auto', 'manual') AND i.status = 'matched'`,
          )
          .get(PERIOD) as { n: number }
      ).n;
    const group = (kind: string) =>
      (
        store.sqlite
          .prepare(
            `SELECT g.id FROM match_group g JOIN reconciliation c ON c.id = g.reconciliation_id
             WHERE c.template_id = 'charge-reconciliation' AND g.kind = ? ORDER BY g.id LIMIT 1`,
          )
          .get(kind) as { id: number } | undefined
      )?.id;
    const matched = () => reconSourceFor(store).summary("charge-reconciliation", PERIOD)!.matchedCount;
    const before = join();
    expect(matched()).toBe(before);
    // A suggestion as a run leaves one: a group of kind "suggested" over two rows still in exception.
    const recon = store.sqlite
      .prepare("SELECT id FROM reconciliation WHERE template_id = 'charge-reconciliation' AND period = ?")
      .get(PERIOD) as { id: number };
    const suggested = Number(
      store.sqlite
        .prepare(
          `INSERT INTO match_group (reconciliation_id, pass_id, kind, score, explanation, left_cents, right_cents, created_by, created_at)
           VALUES (?, 'near', 'suggested', 0.9, 'test suggestion', 0, 0, 'test', '2026-11-01T00:00:00Z')`,
        )
        .run(recon.id).lastInsertRowid,
    );
    for (const side of ["left", "right"])
      store.sqlite
        .prepare(
          `UPDATE recon_item SET group_id = ? WHERE id = (SELECT id FROM recon_item WHERE reconciliation_id = ? AND side = ? AND status <> 'matched' AND group_id IS NULL LIMIT 1)`,
        )
        .run(suggested, recon.id, side);
    expect(matched()).toBe(join());
    confirmGroups(store, "rob", [suggested]);
    unmatchGroups(store, "rob", [group("auto")!], "test");
    expect(join()).not.toBe(before);
    expect(matched()).toBe(join());
  });

  it("voids a sign-off when a signed figure changes in the recon tables", () => {
    const source = reconSourceFor(store);
    // The pair unmatched above is work not done: explained first, or there is nothing to sign.
    const unclassified = store.sqlite
      .prepare(
        `SELECT i.side, i.row_key FROM recon_item i JOIN reconciliation r ON r.id = i.reconciliation_id
         WHERE r.template_id = 'charge-reconciliation' AND i.status = 'unmatched'`,
      )
      .all() as { side: "left" | "right"; row_key: string }[];
    for (const side of ["left", "right"] as const) {
      const keys = unclassified.filter((u) => u.side === side).map((u) => u.row_key);
      if (keys.length > 0) explainItems(store, "ana", { templateId: "charge-reconciliation", period: PERIOD, side, keys, note: "timing" });
    }
    signOff(
      store,
      source,
      { userId: "ana", displayName: "Ana", roles: ["preparer"] },
      { reconId: "charge-reconciliation", period: PERIOD, role: "preparer" },
    );
    expect(signoffStatus(store, source, "charge-reconciliation", PERIOD).status.preparer?.userId).toBe("ana");
    store.sqlite
      .prepare(
        `UPDATE recon_item SET amount_cents = amount_cents + 100 WHERE id = (
           SELECT i.id FROM recon_item i JOIN reconciliation r ON r.id = i.reconciliation_id
           WHERE r.template_id = 'charge-reconciliation' AND i.side = 'left' AND i.status = 'exception' LIMIT 1)`,
      )
      .run();
    const { status } = signoffStatus(store, source, "charge-reconciliation", PERIOD);
    expect(status.preparer).toBeNull();
    expect(status.history[0]?.voidReason).toMatch(/left balance .* → .*; reconciling items "missing-in-billing"/);
  });

  it("round-trips open exceptions through a workbook into the recon tables, with provenance", async () => {
    const source = reconSourceFor(store);
    const exported = await exportExceptionsWorkbook(
      store,
      source,
      { reconId: "remittance-bank", period: PERIOD, outPath: join(dir, "ex.xlsx") },
      "ana",
    );
    const open = store.sqlite
      .prepare(
        "SELECT COUNT(*) AS n FROM recon_exception e JOIN reconciliation r ON r.id = e.reconciliation_id WHERE r.template_id = 'remittance-bank' AND e.status = 'open'",
      )
      .get() as { n: number };
    expect(exported.rows).toBe(open.n);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(exported.path);
    const sheet = workbook.getWorksheet("Exceptions")!;
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    const firstId = String(sheet.getRow(2).getCell(1).value);
    sheet.getRow(2).getCell(header.indexOf("Owner")).value = "rob";
    sheet.getRow(2).getCell(header.indexOf("Explanation")).value = "Bank fee; journal to follow";
    const filled = join(dir, "ex-filled.xlsx");
    await workbook.xlsx.writeFile(filled);
    const result = importExceptionsWorkbook(store, source, filled, true, "ana");
    expect(result.applied).toBe(1);
    expect(source.exception(firstId)).toMatchObject({ owner: "rob", explanation: "Bank fee; journal to follow" });
    const entry = listAudit(store, { entityType: "exception" }).entries[0]!;
    expect(entry.entityId).toBe(`remittance-bank/${PERIOD}/${firstId}`);
    expect(entry.after).toMatchObject({ provenance: { via: "workbook", fileName: "ex-filled.xlsx", row: 2 } });
  });

  it("names the files the run read, not one a later import re-delivered a record from; a sign-off stands until a re-run", () => {
    const source = reconSourceFor(store);
    const files = () => source.summary("claim-remittance", PERIOD)!.inputFiles.map((f) => f.fileName);
    const before = files();
    expect(before.length).toBeGreaterThan(0);
    signOff(
      store,
      source,
      { userId: "ana", displayName: "Ana", roles: ["preparer"] },
      { reconId: "claim-remittance", period: PERIOD, role: "preparer" },
    );
    // A later 837 re-delivers one claim: the canonical row's lineage moves to the new file.
    const fileId = Number(
      store.sqlite
        .prepare(
          `INSERT INTO source_file (file_name, format, system, size_bytes, sha256, received_at, status) VALUES ('later-837.txt', 'x12-837', 'billing', 1, ?, '2026-11-20T00:00:00Z', 'complete')`,
        )
        .run("f".repeat(64)).lastInsertRowid,
    );
    const rawId = Number(
      store.sqlite
        .prepare(
          `INSERT INTO raw_record (source_file_id, connector, kind, content, sha256, received_at, status) VALUES (?, 'x12', 'claim', 'CLM*...', ?, '2026-11-20T00:00:00Z', 'loaded')`,
        )
        .run(fileId, "e".repeat(64)).lastInsertRowid,
    );
    store.sqlite.prepare("UPDATE claim SET raw_record_id = ? WHERE id = (SELECT MIN(id) FROM claim)").run(rawId);
    expect(files()).toEqual(before);
    expect(signoffStatus(store, source, "claim-remittance", PERIOD).status.preparer?.userId).toBe("ana");
    // A re-run reads it, names it, and the signed figures change with it.
    runReconciliation(store, "claim-remittance", PERIOD, { actor: "system" });
    expect(files()).toContain("later-837.txt");
    const { status } = signoffStatus(store, source, "claim-remittance", PERIOD);
    expect(status.preparer).toBeNull();
    expect(status.history[0]?.voidReason).toContain("input files changed");
  });

  it("names the files behind a summarised side: billing-to-GL lists the billing extract, the 835s and the crosswalks, not only the GL", () => {
    runReconciliation(store, "billing-gl", PERIOD, { actor: "system" });
    const files = reconSourceFor(store)
      .summary("billing-gl", PERIOD)!
      .inputFiles.map((f) => f.fileName);
    expect(files).toEqual(expect.arrayContaining(["gl_journal_lines.csv", "charge_detail_extract.csv", "xwalk_cdm_gl_account.csv"]));
    expect(files.some((f) => /835/.test(f))).toBe(true);
    // Files of other kinds are not named: no HL7, no bank file.
    expect(files.some((f) => /\.hl7$|\.bai$/i.test(f))).toBe(false);
  });

  // Last: it changes the charge reconciliation's rules.
  it("puts the rules the run used on a Rules sheet: version, who changed them and why, each pass's criteria", async () => {
    const rules = structuredClone(activeRules(store, "charge-reconciliation").template);
    rules.passes[1]!.date!.maxDays = 3;
    saveRules(store, "rob", "charge-reconciliation", rules, "Billing posts up to 3 days after service");
    const run = runReconciliation(store, "charge-reconciliation", PERIOD, { actor: "system" });
    const { written } = await exportWorkpaper(
      store,
      reconSourceFor(store),
      { reconId: "charge-reconciliation", period: PERIOD, outPath: join(dir, "rules.xlsx") },
      "cli:test",
    );
    expect(written.sheets.slice(0, 3)).toEqual(["Cover", "Summary", "Rules"]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(written.path);
    const rows: string[][] = [];
    workbook.getWorksheet("Rules")!.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ""))));
    const field = (label: string) => rows.find((r) => r[0] === label)?.[1];
    expect(rows[0]![0]).toBe(`Matching rules used by run ${run.runId}`);
    expect(field("Rule set")).toBe(`charge-reconciliation v${run.ruleVersion} (edited)`);
    expect(field("Rule hash (SHA-256)")).toBe(run.ruleHash);
    expect(field("Saved by")).toBe("rob");
    expect(field("Why")).toBe("Billing posts up to 3 days after service");
    const near = rows.find((r) => r[0] === "2. near")!;
    expect(near.slice(2, 4)).toEqual(["suggested", "1:1"]);
    expect(near[5]).toBe("$1.00");
    expect(near[6]).toBe("-1 to 3 days (service_date → service_date)");
    expect(rows.find((r) => r[0] === "late-charge")).toEqual([
      "late-charge",
      "matched",
      "days from left.service_date to right.posting_date > 3",
      "yes",
      expect.stringContaining("days late"),
    ]);
  });
});
