import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backfill } from "../store/migrations/0009_settled_breaks";
import { reconSourceFor } from "../workpapers/reconSource";
import { openStore, type Store } from "../store/store";
import {
  confirmGroups,
  explainItems,
  lockReconciliation,
  matchManual,
  reopenExceptions,
  resolveExceptions,
  setCorrectionStatus,
  unmatchGroups,
} from "./decisions";
import { getException, getGroup, listCorrections, reconBalance, reconRows } from "./queries";
import { runReconciliation } from "./run";

/**
 * A break and the correction proposed for it, through the decisions that settle and unsettle
 * them: what is open work and what may be posted must follow the break.
 */
let dir: string;
let store: Store;
const period = "2026-10";

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-lifecycle-"));
  store = await openStore(join(dir, "t.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const exceptions = () =>
  store.sqlite.prepare("SELECT id, reason, status, resolution, amount_cents FROM recon_exception ORDER BY id").all() as {
    id: number;
    reason: string;
    status: string;
    resolution: string | null;
    amount_cents: number | null;
  }[];

/** One charge on a side (CDM 3000443, served and posted 13 October), of $10.00 unless told otherwise. */
const charge = (system: "ehr" | "billing", id: string, account = "A1", cents = 1000, served = "2026-10-13") =>
  store.sqlite
    .prepare(
      `INSERT INTO charge (system, transaction_id, account_number, cdm_code, service_date, posting_date, amount_cents, quantity)
       VALUES (?, ?, ?, '3000443', ?, ?, ?, 1)`,
    )
    .run(system, id, account, served, served, cents);

describe("a re-run", () => {
  const templateId = "charge-reconciliation";
  const groupsNow = () =>
    store.sqlite
      .prepare(
        `SELECT g.id, g.kind, g.pass_id AS pass,
           (SELECT group_concat(row_key, ' ') FROM (SELECT row_key FROM recon_item WHERE group_id = g.id ORDER BY row_key)) AS keys
         FROM match_group g ORDER BY keys`,
      )
      .all() as { id: number; kind: string; pass: string; keys: string }[];

  it("finds what a fresh run finds when a new row is a better partner, and keeps the ids of groups nothing touched", () => {
    charge("ehr", "C1", "A1", 1000);
    charge("billing", "T1", "A1", 1050); // 50 cents off: only a suggestion
    charge("ehr", "C5", "A5");
    charge("billing", "T5", "A5");
    runReconciliation(store, templateId, period, { actor: "t" });
    const first = groupsNow();
    expect(first.map((g) => [g.keys, g.kind, g.pass])).toEqual([
      ["billing:T1 ehr:C1", "suggested", "near"],
      ["billing:T5 ehr:C5", "auto", "exact"],
    ]);
    // The exact partner arrives: a fresh run matches C1 with it and leaves T1 without an EHR charge.
    charge("billing", "T2", "A1", 1000);
    const summary = runReconciliation(store, templateId, period, { actor: "t" });
    const second = groupsNow();
    expect(second.map((g) => [g.keys, g.kind, g.pass])).toEqual([
      ["billing:T2 ehr:C1", "auto", "exact"],
      ["billing:T5 ehr:C5", "auto", "exact"],
    ]);
    expect(second[1]!.id).toBe(first[1]!.id);
    expect(second[0]!.id).toBeGreaterThan(first[1]!.id);
    expect(summary.keptGroups).toBe(1);
    expect(
      exceptions()
        .filter((e) => e.status === "open")
        .map((e) => e.reason),
    ).toEqual(["missing-in-ehr"]);
  });

  it("keeps the last run's groups without matching when nothing changed, and matches again once a decision frees or takes rows", () => {
    charge("ehr", "C5", "A5");
    charge("billing", "T5", "A5");
    charge("ehr", "C1", "A1");
    const phases = () => {
      const seen: string[] = [];
      runReconciliation(store, templateId, period, { actor: "t", progress: (p) => seen.push(p) });
      return seen.filter((p) => p.startsWith("Matching"));
    };
    expect(phases()).toContain("Matching: pass 1 of 2 (exact)");
    const [group] = groupsNow();
    expect(phases()).toEqual(["Matching: nothing changed since the last run"]);
    explainItems(store, "ana", { templateId, period, side: "left", keys: ["ehr:C1"], note: "timing" });
    expect(phases()).toContain("Matching: pass 1 of 2 (exact)");
    expect(groupsNow()).toEqual([group]);
    expect(phases()).toEqual(["Matching: nothing changed since the last run"]);
  });
});

describe("the next period", () => {
  it("neither matches again nor raises what the previous period matched in its run-out", () => {
    const templateId = "charge-reconciliation";
    charge("ehr", "C1", "A1", 1000, "2026-11-03"); // served in October's run-out
    charge("billing", "T1", "A1", 1000, "2026-11-03");
    charge("ehr", "C2", "A2", 2500, "2026-11-10"); // November's own, not yet billed
    runReconciliation(store, templateId, "2026-10", { actor: "t" });
    const november = runReconciliation(store, templateId, "2026-11", { actor: "t" });
    expect(november.passes.reduce((n, p) => n + p.groups, 0)).toBe(0);
    expect(november.expectedByReason).toEqual({ "matched-in-prior-period": 2 });
    expect(november.exceptionsByReason).toEqual({ "missing-in-billing": { count: 1, amountCents: 2500 } });
    expect(november.balance.unexplainedCents).toBe(0);
    const stored = reconBalance(store, templateId, "2026-11");
    expect(stored.reconciling.find((l) => l.reason === "matched-in-prior-period")).toMatchObject({
      kind: "expected",
      items: 2,
      amountCents: 0,
    });
  });

  it("matches and raises here what changed, or lost its partner, since the previous period matched it", () => {
    const templateId = "charge-reconciliation";
    charge("ehr", "C1", "A1", 1000, "2026-11-03");
    charge("billing", "C1", "A1", 1000, "2026-11-03");
    charge("ehr", "C2", "A2", 2000, "2026-11-04");
    charge("billing", "C2", "A2", 2000, "2026-11-04");
    runReconciliation(store, templateId, "2026-10", { actor: "t" });
    // Billing drops C1 and reposts C2 at $25.00 after October matched them.
    store.sqlite.prepare("DELETE FROM charge WHERE system = 'billing' AND transaction_id = 'C1'").run();
    store.sqlite.prepare("UPDATE charge SET amount_cents = 2500 WHERE system = 'billing' AND transaction_id = 'C2'").run();
    const november = runReconciliation(store, templateId, "2026-11", { actor: "t" });
    expect(november.expectedByReason).toEqual({});
    expect(november.exceptionsByReason).toEqual({
      "missing-in-billing": { count: 2, amountCents: 3000 },
      "missing-in-ehr": { count: 1, amountCents: 2500 },
    });
  });
});

describe("a break settled by a decision", () => {
  const templateId = "charge-reconciliation";

  it("ages from its oldest record, not from when Tieout found it, and stops ageing once resolved", () => {
    charge("ehr", "C1"); // served 13 October
    runReconciliation(store, templateId, period, { actor: "t" });
    const [e] = exceptions();
    const today = Math.floor((Date.now() - Date.parse("2026-10-13T00:00:00Z")) / 86_400_000);
    expect(getException(store, e!.id).exception).toMatchObject({ itemDate: "2026-10-13", ageDays: today });
    // The workpaper's ageing schedule counts from the same date, at the period's end.
    expect([...reconSourceFor(store).openExceptions(templateId, period)].map((x) => [x.date, x.ageDays])).toEqual([["2026-10-13", 18]]);
    resolveExceptions(store, "ana", [e!.id], "billed by hand");
    store.sqlite.prepare("UPDATE recon_exception SET resolved_at = '2026-10-20T09:00:00Z' WHERE id = ?").run(e!.id);
    expect(getException(store, e!.id).exception.ageDays).toBe(7);
  });

  it("cannot be resolved once a run cleared it, so a reopen cannot bring back what the rules no longer raise", () => {
    charge("ehr", "C1");
    runReconciliation(store, templateId, period, { actor: "t" });
    charge("billing", "C1");
    runReconciliation(store, templateId, period, { actor: "t" });
    const [cleared] = exceptions();
    expect(cleared).toMatchObject({ reason: "missing-in-billing", status: "cleared" });
    expect(resolveExceptions(store, "ana", [cleared!.id], "billed late")).toEqual({ resolved: 0 });
    expect(reopenExceptions(store, "ana", [cleared!.id])).toEqual({ reopened: 0 });
    expect(exceptions()[0]).toMatchObject({ status: "cleared", resolution: null });
  });

  it("opens again when the explanation is taken back, before and after the next run", () => {
    charge("ehr", "C1");
    runReconciliation(store, templateId, period, { actor: "t" });
    expect(exceptions().map((e) => [e.reason, e.status])).toEqual([["missing-in-billing", "open"]]);
    explainItems(store, "ana", { templateId, period, side: "left", keys: ["ehr:C1"], note: "timing" });
    expect(exceptions()[0]).toMatchObject({ status: "resolved", resolution: "explained: timing" });
    runReconciliation(store, templateId, period, { actor: "t" });
    expect(exceptions()[0]!.status).toBe("resolved");

    explainItems(store, "ana", { templateId, period, side: "left", keys: ["ehr:C1"], note: "", explained: false });
    expect(exceptions()[0]).toMatchObject({ status: "open", resolution: null });
    runReconciliation(store, templateId, period, { actor: "t" });
    expect(exceptions()).toHaveLength(1);
    expect(exceptions()[0]!.status).toBe("open");
  });

  it("opens again when the manual match is undone, and a break a person resolved stays resolved", () => {
    charge("ehr", "C1", "A1");
    charge("billing", "T9", "B9");
    charge("ehr", "C2", "A3");
    runReconciliation(store, templateId, period, { actor: "t" });
    // C1 and T9 do not match on their own (different transaction ids); C2 is missing in billing.
    const byKey = (key: string) =>
      store.sqlite
        .prepare("SELECT id FROM recon_exception WHERE left_keys_json LIKE ? OR right_keys_json LIKE ?")
        .get(`%${key}%`, `%${key}%`) as {
        id: number;
      };
    const [c1, t9, c2] = [byKey("ehr:C1"), byKey("billing:T9"), byKey("ehr:C2")];
    const group = matchManual(store, "ana", { templateId, period, leftKeys: ["ehr:C1"], rightKeys: ["billing:T9"], note: "re-keyed" });
    expect(
      exceptions()
        .filter((e) => e.status === "resolved")
        .map((e) => e.id),
    ).toEqual([c1!.id, t9!.id]);
    resolveExceptions(store, "ana", [c2!.id], "posted in November, within policy");

    unmatchGroups(store, "ana", [group.groupId], "wrong pair");
    const statuses = () => Object.fromEntries(exceptions().map((e) => [e.id, e.status]));
    expect(statuses()).toEqual({ [c1.id]: "open", [t9.id]: "open", [c2.id]: "resolved" });
    runReconciliation(store, templateId, period, { actor: "t" });
    expect(statuses()).toEqual({ [c1.id]: "open", [t9.id]: "open", [c2.id]: "resolved" });
    expect(store.sqlite.prepare("SELECT after_json FROM audit_log WHERE action = 'unmatch'").get()).toEqual({
      after_json: JSON.stringify({ reopenedExceptions: [c1.id, t9.id].sort((a, b) => a - b) }),
    });
  });
});

describe("the grid's search", () => {
  it("finds a value with a quote or a backslash, which the JSON text writes escaped", () => {
    store.sqlite
      .prepare(
        `INSERT INTO charge (system, transaction_id, account_number, cdm_code, service_date, posting_date, amount_cents, quantity, description)
         VALUES ('ehr', 'C1', 'A1', '3000443', '2026-10-13', '2026-10-13', 1000, 1, ?)`,
      )
      .run('Dr O"Neil, C:\\ward 4');
    runReconciliation(store, "charge-reconciliation", period, { actor: "t" });
    const search = (text: string) =>
      reconRows(store, { templateId: "charge-reconciliation", period, side: "left", offset: 0, limit: 5, search: text }).total;
    expect(search('O"Neil')).toBe(1);
    expect(search("C:\\ward")).toBe(1);
    expect(search("O'Neil")).toBe(0);
  });
});

describe("a row matched again by hand", () => {
  it("reopens the break of the partner it leaves, which the old match had settled", () => {
    charge("ehr", "C1", "A1");
    charge("billing", "T1", "B1");
    charge("billing", "T2", "B2");
    const templateId = "charge-reconciliation";
    runReconciliation(store, templateId, period, { actor: "t" });
    const status = (key: string) =>
      (
        store.sqlite
          .prepare("SELECT status FROM recon_exception WHERE right_keys_json = ? OR left_keys_json = ?")
          .get(JSON.stringify([key]), JSON.stringify([key])) as { status: string }
      ).status;
    // A key given twice is one row: the match's totals are its rows', and a re-run raises nothing.
    const first = matchManual(store, "ana", { templateId, period, leftKeys: ["ehr:C1", "ehr:C1"], rightKeys: ["billing:T1"] });
    expect([first.decidedLeftCents, first.decidedRightCents, first.left.length]).toEqual([1000, 1000, 1]);
    expect(runReconciliation(store, templateId, period, { actor: "t" }).exceptionsByReason["changed-after-match"]).toBeUndefined();
    expect(status("billing:T1")).toBe("resolved");
    matchManual(store, "ana", { templateId, period, leftKeys: ["ehr:C1"], rightKeys: ["billing:T2"] });
    expect([status("ehr:C1"), status("billing:T1"), status("billing:T2")]).toEqual(["resolved", "open", "resolved"]);
    runReconciliation(store, templateId, period, { actor: "t" });
    expect([status("ehr:C1"), status("billing:T1"), status("billing:T2")]).toEqual(["resolved", "open", "resolved"]);
  });
});

describe("match-group ids", () => {
  it("never come back after a group is deleted, so an audit entry names one group for good", () => {
    charge("ehr", "C1", "A1");
    charge("billing", "T1", "B1");
    charge("ehr", "C2", "A2");
    charge("billing", "T2", "A2");
    const templateId = "charge-reconciliation";
    runReconciliation(store, templateId, period, { actor: "t" });
    const auto = store.sqlite.prepare("SELECT MAX(id) FROM match_group").pluck().get() as number;
    // The newest group, matched by hand and unmatched at once: its id is the highest there was.
    const manual = matchManual(store, "ana", { templateId, period, leftKeys: ["ehr:C1"], rightKeys: ["billing:T1"] });
    expect(manual.groupId).toBe(auto + 1);
    unmatchGroups(store, "ana", [manual.groupId]);
    const again = matchManual(store, "ana", { templateId, period, leftKeys: ["ehr:C1"], rightKeys: ["billing:T1"] });
    expect(again.groupId).toBe(manual.groupId + 1);
    unmatchGroups(store, "ana", [again.groupId]);
    // A run's new groups too (a rule change drops and re-makes them).
    store.sqlite.prepare("UPDATE recon_run SET rule_hash = 'other'").run();
    runReconciliation(store, templateId, period, { actor: "t" });
    const ids = store.sqlite.prepare("SELECT id FROM match_group").pluck().all() as number[];
    expect(Math.min(...ids)).toBeGreaterThan(again.groupId);
  });
});

describe("a decision over rows that changed", () => {
  const templateId = "charge-reconciliation";
  const item = (key: string) =>
    store.sqlite.prepare("SELECT status, reason, group_id, explained_note FROM recon_item WHERE row_key = ?").get(key) as {
      status: string;
      reason: string | null;
      group_id: number | null;
      explained_note: string | null;
    };

  it("keeps a manual match whose rows changed, and raises a difference other than the one accepted as a break, run after run", () => {
    charge("ehr", "C1", "A1", 1000);
    charge("billing", "T1", "B9", 1000);
    charge("ehr", "C2", "A2", 2000);
    charge("billing", "T2", "B8", 2000);
    // Matched by hand with a 50-cent difference accepted (a fee).
    charge("ehr", "C3", "A3", 1000);
    charge("billing", "T3", "B7", 1050);
    runReconciliation(store, templateId, period, { actor: "t" });
    const one = matchManual(store, "ana", { templateId, period, leftKeys: ["ehr:C1"], rightKeys: ["billing:T1"] });
    const two = matchManual(store, "ana", { templateId, period, leftKeys: ["ehr:C2"], rightKeys: ["billing:T2"] });
    const fee = matchManual(store, "ana", { templateId, period, leftKeys: ["ehr:C3"], rightKeys: ["billing:T3"], note: "fee" });

    store.sqlite.prepare("UPDATE charge SET amount_cents = 5000 WHERE transaction_id = 'T1'").run();
    store.sqlite.prepare("DELETE FROM charge WHERE transaction_id = 'T2'").run();
    // A change that leaves the accepted difference as it was is no break.
    store.sqlite.prepare("UPDATE charge SET posting_date = '2026-10-14' WHERE transaction_id = 'T3'").run();
    for (let run = 1; run <= 2; run++) {
      const summary = runReconciliation(store, templateId, period, { actor: "t" });
      expect(summary.manualGroups).toBe(3);
      expect(summary.exceptionsByReason["changed-after-match"]).toEqual({ count: 2, amountCents: -4000 + 2000 });
      expect(summary.balance.reconciling.filter((l) => l.kind === "variance")).toEqual([
        { reason: "matched: manual", kind: "variance", items: 1, amountCents: -50 },
      ]);
      expect(summary.balance.unexplainedCents).toBe(0);
      expect(reconBalance(store, templateId, period)).toEqual(summary.balance);
      expect(item("ehr:C1")).toMatchObject({ status: "matched", reason: "changed-after-match", group_id: one.groupId });
      expect(item("ehr:C2")).toMatchObject({ status: "matched", reason: "changed-after-match", group_id: two.groupId });
      expect(item("ehr:C3")).toMatchObject({ status: "matched", reason: null, group_id: fee.groupId });
      expect(
        (store.sqlite.prepare("SELECT status FROM recon_exception WHERE reason = 'changed-after-match'").all() as { status: string }[]).map(
          (e) => e.status,
        ),
      ).toEqual(["open", "open"]);
    }
    // The group keeps the totals it was decided on; the panel shows both.
    const group = getGroup(store, one.groupId);
    expect([group.leftCents, group.rightCents, group.decidedLeftCents, group.decidedRightCents]).toEqual([1000, 5000, 1000, 1000]);
    const message = (
      store.sqlite.prepare("SELECT message FROM recon_exception WHERE reason = 'changed-after-match' AND amount_cents = -4000").get() as {
        message: string;
      }
    ).message;
    expect(message).toBe(
      `Group ${one.groupId} was matched by hand with left − right $0.00; a row changed or left its side since, and it is now -$40.00 (left $10.00, right $50.00)`,
    );
  });

  it("takes an explanation back when its row changes (and reopens what it settled), unless the reconciliation is locked", () => {
    charge("ehr", "C1", "A1", 1000);
    charge("ehr", "C2", "A2", 1000);
    runReconciliation(store, templateId, period, { actor: "t" });
    explainItems(store, "ana", { templateId, period, side: "left", keys: ["ehr:C1", "ehr:C2"], note: "timing $10" });
    store.sqlite.prepare("UPDATE charge SET amount_cents = 1000000 WHERE transaction_id = 'C1'").run();
    const run = runReconciliation(store, templateId, period, { actor: "t" });
    expect(item("ehr:C1")).toMatchObject({ status: "exception", reason: "missing-in-billing", explained_note: null });
    expect(item("ehr:C2")).toMatchObject({ status: "explained", explained_note: "timing $10" });
    expect(run.balance.reconciling.find((l) => l.kind === "explained")).toMatchObject({ items: 1, amountCents: 1000 });
    const c1 = store.sqlite
      .prepare("SELECT status, resolution FROM recon_exception WHERE left_keys_json = ?")
      .get(JSON.stringify(["ehr:C1"]));
    expect(c1).toEqual({ status: "open", resolution: null });

    // Locked, the explanation stands over a change (a person unlocks to let the run look again).
    explainItems(store, "ana", { templateId, period, side: "left", keys: ["ehr:C1"], note: "timing $10,000" });
    lockReconciliation(store, "rob", { templateId, period, locked: true });
    store.sqlite.prepare("UPDATE charge SET amount_cents = 7 WHERE transaction_id = 'C1'").run();
    runReconciliation(store, templateId, period, { actor: "t" });
    expect(item("ehr:C1")).toMatchObject({ status: "explained", explained_note: "timing $10,000" });
  });
});

describe("the balance of a confirmed suggestion", () => {
  it("names its variance as the stored balance does, so the run's summary and the workpaper agree", () => {
    charge("ehr", "C1", "A1", 1000);
    charge("billing", "T1", "A1", 1050);
    const templateId = "charge-reconciliation";
    runReconciliation(store, templateId, period, { actor: "t" });
    const suggested = store.sqlite.prepare("SELECT id FROM match_group WHERE kind = 'suggested'").all() as { id: number }[];
    expect(suggested).toHaveLength(1);
    confirmGroups(store, "ana", [suggested[0]!.id]);
    const run = runReconciliation(store, templateId, period, { actor: "t" });
    const variance = run.balance.reconciling.filter((l) => l.kind === "variance");
    expect(variance).toEqual([{ reason: "matched: manual", kind: "variance", items: 1, amountCents: -50 }]);
    expect(reconBalance(store, templateId, period)).toEqual(run.balance);
  });
});

describe("the balance of a suggestion that raises a break", () => {
  it("counts its rows as the stored balance does", () => {
    // Billing posted 10 days after service and 50 cents off: the near pass suggests it, and it is a late charge.
    store.sqlite
      .prepare(
        `INSERT INTO charge (system, transaction_id, account_number, cdm_code, service_date, posting_date, amount_cents, quantity)
         VALUES ('ehr', 'C1', 'A1', '3000443', '2026-10-13', '2026-10-13', 1000, 1), ('billing', 'T1', 'A1', '3000443', '2026-10-13', '2026-10-23', 1050, 1)`,
      )
      .run();
    const run = runReconciliation(store, "charge-reconciliation", period, { actor: "t" });
    expect(run.balance.reconciling).toEqual([{ reason: "late-charge", kind: "exception", items: 2, amountCents: -50 }]);
    expect(reconBalance(store, "charge-reconciliation", period)).toEqual(run.balance);
  });
});

describe("a correction follows its break", () => {
  const templateId = "remittance-bank";
  // A healthcare deposit with addenda but no 835 on file: unapplied cash, with a journal proposed.
  const deposit = (cents: number) =>
    store.sqlite
      .prepare(
        `INSERT INTO bank_transaction (system, bank_transaction_id, bank_account, as_of_date, type_code, amount_cents, bank_reference, reassociation_trace)
         VALUES ('bank', 'D1', '123', '2026-10-05', '169', ?, 'REF1', 'TRACE-1')`,
      )
      .run(cents);
  const proposals = () =>
    listCorrections(store, { templateId, period }).items.map((c) => ({ status: c.status, amountCents: c.amountCents }));
  const withdrawnReason = () =>
    (store.sqlite.prepare("SELECT withdrawn_reason FROM proposed_correction").get() as { withdrawn_reason: string | null })
      .withdrawn_reason;
  const run = () => runReconciliation(store, templateId, period, { actor: "t" });

  it("is restated when the break's amount changes, withdrawn when it clears and proposed again when it comes back", () => {
    deposit(10_000);
    expect(run().corrections).toBe(1);
    expect(proposals()).toEqual([{ status: "proposed", amountCents: 10_000 }]);

    store.sqlite.prepare("UPDATE bank_transaction SET amount_cents = 25000").run();
    run();
    expect(exceptions().map((e) => e.amount_cents)).toEqual([25_000]);
    expect(proposals()).toEqual([{ status: "proposed", amountCents: 25_000 }]);

    store.sqlite.prepare("DELETE FROM bank_transaction").run();
    run();
    expect(exceptions()[0]!.status).toBe("cleared");
    expect(proposals()).toEqual([{ status: "withdrawn", amountCents: 25_000 }]);
    expect(withdrawnReason()).toBe("break-cleared");

    deposit(12_000);
    expect(run().corrections).toBe(1);
    expect(exceptions()[0]!.status).toBe("open");
    expect(proposals()).toEqual([{ status: "proposed", amountCents: 12_000 }]);
  });

  it("is withdrawn when the break is settled or resolved, proposed again when that is undone, and never after a person withdrew it", () => {
    deposit(10_000);
    run();
    // The ERA turns up under another trace: matched by hand, the unapplied-cash journal must not be posted too.
    store.sqlite
      .prepare(
        "INSERT INTO remittance_payment (system, trace_number, amount_cents, payment_date, balanced) VALUES ('payer', 'OTHER', 10000, '2026-10-04', 1)",
      )
      .run();
    run();
    const group = matchManual(store, "ana", { templateId, period, leftKeys: ["OTHER"], rightKeys: ["D1"] });
    expect(proposals()).toEqual([{ status: "withdrawn", amountCents: 10_000 }]);
    expect(withdrawnReason()).toBe("break-settled");
    run();
    expect(proposals()[0]!.status).toBe("withdrawn");

    unmatchGroups(store, "ana", [group.groupId]);
    expect(run().corrections).toBe(1);
    expect(proposals()).toEqual([{ status: "proposed", amountCents: 10_000 }]);

    const unapplied = exceptions().find((e) => e.reason === "unapplied-cash")!;
    resolveExceptions(store, "ana", [unapplied.id], "applied by hand in the cash application system");
    expect(proposals()[0]!.status).toBe("withdrawn");
    expect(withdrawnReason()).toBe("break-resolved");
    run();
    expect(proposals()[0]!.status).toBe("withdrawn");
    reopenExceptions(store, "ana", [unapplied.id]);
    run();
    expect(proposals()[0]!.status).toBe("proposed");

    const [c] = listCorrections(store, { templateId, period }).items;
    setCorrectionStatus(store, "ana", [c!.correctionId], "withdrawn");
    expect(run().corrections).toBe(0);
    expect(proposals()[0]!.status).toBe("withdrawn");
    expect(withdrawnReason()).toBeNull();
  });
});

describe("migration 0009 on a store with breaks and proposals", () => {
  it("marks decisions' resolutions, tells a run's withdrawals from a person's, and withdraws proposals of settled breaks", () => {
    const db = store.sqlite;
    db.prepare("INSERT INTO reconciliation (id, template_id, period, created_at) VALUES (1, 'remittance-bank', ?, '2026-11-01')").run(
      period,
    );
    const exception = db.prepare(
      `INSERT INTO recon_exception (id, reconciliation_id, fingerprint, reason, status, message, left_keys_json, right_keys_json, opened_at, resolution)
       VALUES (?, 1, ?, 'unapplied-cash', ?, 'm', '[]', '[]', '2026-11-01', ?)`,
    );
    exception.run(1, "f1", "resolved", "matched by hand (group 4)");
    exception.run(2, "f2", "resolved", "paid by phone");
    exception.run(3, "f3", "open", null);
    exception.run(4, "f4", "cleared", null);
    exception.run(5, "f5", "resolved", "paid by phone");
    db.prepare("UPDATE recon_exception SET locked = 1 WHERE id = 5").run(); // signed off: the migration leaves it
    const correction = db.prepare(
      `INSERT INTO proposed_correction (id, reconciliation_id, exception_id, kind, status, summary, payload_json, created_at)
       VALUES (?, 1, ?, 'gl-journal', ?, 's', '{}', '2026-11-01')`,
    );
    correction.run(1, 1, "proposed"); // waiting on a break a match settled
    correction.run(2, 2, "proposed"); // waiting on a break a person resolved
    correction.run(3, 3, "withdrawn"); // withdrawn by a person (audited), break open
    correction.run(4, 4, "withdrawn"); // withdrawn by a run when the break cleared
    correction.run(5, 5, "proposed"); // on a locked break
    setCorrectionStatus(store, "ana", [3], "withdrawn");
    db.exec("UPDATE recon_exception SET settled_by_decision = 0; UPDATE proposed_correction SET withdrawn_reason = NULL");

    for (const statement of backfill) db.exec(statement);
    expect(db.prepare("SELECT id, settled_by_decision FROM recon_exception ORDER BY id").all()).toEqual([
      { id: 1, settled_by_decision: 1 },
      { id: 2, settled_by_decision: 0 },
      { id: 3, settled_by_decision: 0 },
      { id: 4, settled_by_decision: 0 },
      { id: 5, settled_by_decision: 0 },
    ]);
    expect(db.prepare("SELECT id, status, withdrawn_reason FROM proposed_correction ORDER BY id").all()).toEqual([
      { id: 1, status: "withdrawn", withdrawn_reason: "break-settled" },
      { id: 2, status: "withdrawn", withdrawn_reason: "break-resolved" },
      { id: 3, status: "withdrawn", withdrawn_reason: null },
      { id: 4, status: "withdrawn", withdrawn_reason: "break-cleared" },
      { id: 5, status: "proposed", withdrawn_reason: null },
    ]);
  });
});
