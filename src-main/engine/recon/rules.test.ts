import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReconTemplate } from "../../../src-shared/reconRules";
import { describeRuleChanges } from "../../../src-shared/reconRules";
import { verifyAuditChain } from "../audit/auditLog";
import { createEngine } from "../engine";
import type { CallContext } from "../handlerRegistry";
import { openStore, type Store } from "../store/store";
import { listTemplates } from "./queries";
import { activeRules, builtInRules, ruleSets, saveRules, useRules } from "./rules";
import { runReconciliation } from "./run";

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-rules-"));
  store = await openStore(join(dir, "t.db"));
  // One charge each side: same account, CDM code and day, 3 cents apart.
  const insert = store.sqlite.prepare(
    `INSERT INTO charge (system, transaction_id, account_number, cdm_code, service_date, posting_date, amount_cents, quantity)
     VALUES (?, ?, 'A100', '3000443', '2026-10-13', '2026-10-13', ?, 1)`,
  );
  insert.run("ehr", "C1", 16_000);
  insert.run("billing", "T1", 16_003);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ID = "charge-reconciliation";
const edited = (change: (t: ReconTemplate) => void): ReconTemplate => {
  const t = structuredClone(activeRules(store, ID).template) as ReconTemplate;
  change(t);
  return t;
};
const run = () => runReconciliation(store, ID, "2026-10", { actor: "ana" });
const audit = (action: string) =>
  store.sqlite.prepare("SELECT actor, after_json, reason FROM audit_log WHERE action = ? ORDER BY seq").all(action) as {
    actor: string;
    after_json: string;
    reason: string | null;
  }[];

describe("rule sets a reviewer edits", () => {
  it("saves an edited tolerance as the next version, runs with it, records it, and goes back to the built-in rules", () => {
    const builtIn = builtInRules(ID);
    expect(ruleSets(store, ID)).toMatchObject({ activeOrigin: "built-in", versions: [] });
    const first = run();
    expect(first.ruleVersion).toBe(builtIn.version);
    // 3 cents apart: not an exact match, only a suggestion of the near pass.
    expect(first.passes.find((p) => p.passId === "exact")!.groups).toBe(0);
    expect(ruleSets(store, ID).versions).toMatchObject([{ version: builtIn.version, origin: "built-in", active: true }]);

    const saved = saveRules(
      store,
      "rita",
      ID,
      edited((t) => (t.passes[0]!.amount = { absCents: 5 })),
      "  Billing rounds to the nickel  ",
    );
    expect(saved).toMatchObject({
      version: builtIn.version + 1,
      origin: "edited",
      createdBy: "rita",
      note: "Billing rounds to the nickel",
      active: true,
    });
    const [entry] = audit("rules-change");
    expect(entry!.actor).toBe("rita");
    expect(entry!.reason).toBe("Billing rounds to the nickel");
    expect(JSON.parse(entry!.after_json)).toMatchObject({
      version: builtIn.version + 1,
      changes: ["pass exact: amount tolerance $0.00 → $0.05"],
    });
    expect(listTemplates(store).find((t) => t.id === ID)!.version).toBe(builtIn.version + 1);

    const second = run();
    expect(second.ruleVersion).toBe(builtIn.version + 1);
    expect(second.ruleHash).toBe(saved.hash);
    expect(second.passes.find((p) => p.passId === "exact")!.groups).toBe(1);

    // An edit begun before that save is refused rather than quietly undoing it.
    expect(() =>
      saveRules(
        store,
        "sam",
        ID,
        edited((t) => (t.runOutDays = 30)),
        "longer run-out",
        ruleSets(store, ID).builtInHash,
      ),
    ).toThrow(expect.objectContaining({ code: "RULES_CHANGED" }));

    // The same rules again change nothing.
    expect(() => saveRules(store, "rita", ID, activeRules(store, ID).template, "again")).toThrow(
      expect.objectContaining({ code: "NO_CHANGE" }),
    );

    useRules(store, "rita", ID, null, "back to the shipped rules");
    expect(activeRules(store, ID)).toMatchObject({ origin: "built-in" });
    const third = run();
    expect(third.ruleVersion).toBe(builtIn.version);
    expect(third.passes.find((p) => p.passId === "exact")!.groups).toBe(0);
    expect(JSON.parse(audit("rules-use")[0]!.after_json)).toMatchObject({
      origin: "built-in",
      changes: ["pass exact: amount tolerance $0.05 → $0.00"],
    });

    // A stored version can be chosen again; the list says which one runs use.
    useRules(store, "rita", ID, saved.hash, "the nickel tolerance again");
    expect(run().passes.find((p) => p.passId === "exact")!.groups).toBe(1);
    expect(ruleSets(store, ID).versions.map((v) => [v.version, v.origin, v.active])).toEqual([
      [builtIn.version + 1, "edited", true],
      [builtIn.version, "built-in", false],
    ]);
    expect(() => useRules(store, "rita", ID, saved.hash, "again")).toThrow(expect.objectContaining({ code: "NO_CHANGE" }));
    expect(verifyAuditChain(store).ok).toBe(true);
  });

  it("refuses to switch the rules in use without a reason for the audit trail, and records the reason it is given", () => {
    const saved = saveRules(
      store,
      "rita",
      ID,
      edited((t) => (t.passes[0]!.amount = { absCents: 5 })),
      "Billing rounds to the nickel",
    );
    for (const note of [undefined, "", "   "]) {
      expect(() => useRules(store, "rita", ID, null, note)).toThrow(
        expect.objectContaining({ code: "BAD_REQUEST", message: "Say why the rules in use change (a note for the audit trail)." }),
      );
    }
    expect(activeRules(store, ID)).toMatchObject({ origin: "edited", hash: saved.hash });
    expect(audit("rules-use")).toEqual([]);

    useRules(store, "rita", ID, null, "  Nickel rounding was a mistake  ");
    expect(audit("rules-use").map((e) => e.reason)).toEqual(["Nickel rounding was a mistake"]);
  });

  it("refuses rules that would fail at month end, naming the rule and the field", () => {
    const refused = (definition: unknown, note = "why") => {
      try {
        saveRules(store, "rita", ID, definition, note);
      } catch (error) {
        return error as { code: string; message: string; details?: { issues: { path: string; message: string }[] } };
      }
      throw new Error("saved");
    };
    const missingColumn = refused(edited((t) => (t.passes[1]!.keys[0]!.right = "acount_number")));
    expect(missingColumn.code).toBe("BAD_RULES");
    expect(missingColumn.details!.issues).toEqual([
      { path: "passes[1].keys[0].right", message: 'the right side\'s query has no column "acount_number"' },
    ]);
    expect(refused(edited((t) => (t.left.sql = "DELETE FROM charge"))).details!.issues[0]).toMatchObject({ path: "left.sql" });
    expect(refused(edited((t) => (t.left.sql = "SELECT * FROM no_such_table"))).message).toContain("left.sql: the query does not compile");
    expect(refused(edited((t) => (t.right.sql = "SELECT 1 AS x"))).message).toContain(
      "right.sql: the query must return row_key, source_table, source_id",
    );
    expect(refused(edited((t) => (t.exceptions[0]!.lagDays = { from: "left.service_dt", to: "right.posting_date" }))).message).toContain(
      'exceptions[0].lagDays.from: the left side\'s query has no column "service_dt"',
    );
    expect(
      refused(edited((t) => (t.passes[0]!.date = { left: "service_date", right: "service_date", minDays: 2, maxDays: 0 }))).message,
    ).toContain("passes[0].date: minDays must not exceed maxDays");
    expect(refused(edited((t) => (t.id = "remittance-bank"))).message).toContain("a template's id cannot change");
    // Hand-written JSON with parts missing or of the wrong kind is refused here, not half-way through a run.
    const loose = (change: (t: Record<string, unknown>) => void) => edited((t) => change(t as unknown as Record<string, unknown>));
    expect(refused(loose((t) => delete t.exceptions)).details!.issues).toEqual([{ path: "exceptions", message: "expected a list" }]);
    expect(refused(loose((t) => ((t.passes as unknown[])[1] = null))).details!.issues[0]).toEqual({
      path: "passes[1]",
      message: "expected a pass",
    });
    expect(refused(edited((t) => (t.passes[0]!.amount = { absCents: 5, pct: "2" as unknown as number }))).message).toContain(
      "passes[0].amount.pct: expected a percentage from 0 to 100",
    );
    // 150% would match $100.00 with 1¢, or with a refund.
    expect(refused(edited((t) => (t.passes[0]!.amount = { absCents: 0, pct: 150 }))).message).toContain(
      "passes[0].amount.pct: expected a percentage from 0 to 100, found 150",
    );
    // A group of thousands is no match an analyst can check, and its block would stall the run.
    expect(refused(edited((t) => Object.assign(t.passes[0]!, { cardinality: "N:M", maxGroup: 5000 }))).message).toContain(
      "passes[0].maxGroup: expected a whole number from 1 to 200, found 5000",
    );
    expect(refused(edited((t) => (t.passes[0]!.maxGroup = "lots" as unknown as number))).message).toContain(
      'passes[0].maxGroup: expected a whole number from 1 to 200, found "lots"',
    );
    // A renamed pass, or a typo, would leave an exception rule that never applies.
    expect(
      refused(edited((t) => (t.exceptions[0]!.when = [{ field: "group.pass", op: "in", values: ["exact", "nearby"] }]))).message,
    ).toContain('exceptions[0].when[0]: names pass "nearby", and there is no pass with that id');
    expect(refused(edited((t) => (t.exceptions[0]!.correction = "gl-reclass"))).message).toContain(
      'exceptions[0].correction: no correction builder "gl-reclass"',
    );
    expect(refused(edited((t) => (t.exceptions[0]!.when = [{ field: "left.quantity", op: "~" as "=", value: 1 }]))).message).toContain(
      'exceptions[0].when[0].op: unknown comparison "~"',
    );
    expect(
      refused(
        edited((t) => (t.passes[0]!.amount = { absCents: 5 })),
        "  ",
      ).code,
    ).toBe("BAD_REQUEST");
    expect(refused([]).code).toBe("BAD_RULES");
    // A side query that needs a parameter a run does not give fails at save, not at month end.
    expect(refused(edited((t) => (t.left.sql = t.left.sql.replace(":from", ":start")))).message).toContain(
      'left.sql: Missing named parameter "start": a side query may use only :period, :from and :to',
    );
    expect(refused(edited((t) => (t.exceptions[0]!.when = [{ field: "group.amountDif", op: ">", value: 0 }]))).message).toContain(
      "exceptions[0].when[0].field: expected left.col, right.col or group.pass|amountDiffCents",
    );
    // Declared lineage must name a canonical table and a filter that compiles.
    expect(refused(edited((t) => (t.left.lineage = [{ table: "chrge" }]))).message).toContain(
      'left.lineage[0]: "chrge" is not a canonical table with lineage',
    );
    expect(refused(edited((t) => (t.left.lineage = [{ table: "charge", where: "c.posting_dt > :from" }]))).message).toContain(
      "left.lineage[0].where: no such column: c.posting_dt",
    );
    // Nothing was stored or switched.
    expect(ruleSets(store, ID)).toMatchObject({ activeOrigin: "built-in", versions: [] });
    expect(audit("rules-change")).toEqual([]);
  });

  it("leaves a way out when the rules in use no longer validate (saved under looser checks)", () => {
    const saved = saveRules(
      store,
      "rita",
      ID,
      edited((t) => (t.runOutDays = 10)),
      "longer run-out",
    );
    const broken = JSON.parse(
      (
        store.sqlite.prepare("SELECT definition_json FROM recon_rule_set WHERE definition_hash = ?").get(saved.hash) as {
          definition_json: string;
        }
      ).definition_json,
    ) as ReconTemplate;
    broken.passes[0]!.label = "";
    store.sqlite.prepare("UPDATE recon_rule_set SET definition_json = ? WHERE definition_hash = ?").run(JSON.stringify(broken), saved.hash);
    expect(() => run()).toThrow(expect.objectContaining({ code: "BAD_RULES", message: expect.stringContaining("passes[0].label") }));
    expect(ruleSets(store, ID).activeProblem).toContain("no longer validate");
    // Saving fixed rules, or going back to the built-in ones, still works.
    const fixed = saveRules(
      store,
      "rita",
      ID,
      { ...broken, passes: [{ ...broken.passes[0]!, label: "Exact" }, ...broken.passes.slice(1)] },
      "fix the label",
    );
    expect(fixed.version).toBe(saved.version + 1);
    expect(JSON.parse(audit("rules-change")[1]!.after_json).changes).toEqual([`replaces v${saved.version}, which no longer validates`]);
    expect(run().ruleVersion).toBe(fixed.version);
    useRules(store, "rita", ID, null, "back to the shipped rules");
    expect(ruleSets(store, ID).activeProblem).toBeNull();
  });

  it("says what changed in words an auditor reads", () => {
    const before = builtInRules(ID);
    const after = structuredClone(before) as ReconTemplate;
    after.runOutDays = 45;
    after.passes.reverse();
    after.passes[0]!.mode = "auto";
    after.passes[0]!.date = { left: "service_date", right: "service_date", minDays: -2, maxDays: 2 };
    after.exceptions = [];
    // The label stays, the column under it changes: the change is named by its columns.
    after.passes[1]!.keys[0]!.right = "visit_number";
    expect(describeRuleChanges(before, after)).toEqual([
      `run-out days ${before.runOutDays} → 45`,
      "pass near: suggested → auto-confirmed",
      "pass near: date window -1 to 1 days → -2 to 2 days",
      "pass exact: blocking keys account (account_number = account_number, trim), CDM (cdm_code = cdm_code, trim), service date (service_date = service_date) → account (account_number = visit_number, trim), CDM (cdm_code = cdm_code, trim), service date (service_date = service_date)",
      "pass order exact, near → near, exact",
      'exception rule "late-charge" removed',
    ]);
  });

  it("lets only a reviewer change the rules, and tells the app", async () => {
    await store.close();
    const engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
    try {
      const as = (roles: ("preparer" | "reviewer")[]): CallContext => ({
        user: { userId: "u", displayName: "U", roles },
        sessionId: null,
        actor: "u",
      });
      const definition = structuredClone(builtInRules(ID)) as ReconTemplate;
      definition.passes[0]!.amount = { absCents: 5 };
      definition.name = "Charge lag (nickel rounding)";
      await expect(engine.invokeAs(as(["preparer"]), "recon/saveRules", { templateId: ID, definition, note: "n" })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      const events: unknown[] = [];
      engine.events.on("recon/rulesChanged", (e) => events.push(e));
      const saved = await engine.invokeAs(as(["reviewer"]), "recon/saveRules", { templateId: ID, definition, note: "n" });
      expect(events).toEqual([{ templateId: ID, version: saved.version }]);
      expect((await engine.invokeAs(as(["preparer"]), "recon/template", { templateId: ID })).passes[0]!.amount).toEqual({ absCents: 5 });
      // The new name shows where people see the reconciliation: the job list, the list of reconciliations.
      const { jobId } = await engine.invokeAs(as(["preparer"]), "jobs/start", {
        kind: "recon",
        params: { templateId: ID, period: "2026-10" },
      });
      expect(engine.jobs.get(jobId)!.label).toBe("Reconcile Charge lag (nickel rounding), 2026-10");
      expect((await engine.jobs.waitFor(jobId)).status).toBe("succeeded");
      expect((await engine.invokeAs(as(["preparer"]), "recon/list", {}))[0]!.templateName).toBe("Charge lag (nickel rounding)");
      await expect(engine.invokeAs(as(["preparer"]), "recon/useRules", { templateId: ID, hash: null, note: "why" })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    } finally {
      await engine.close();
      store = await openStore(join(dir, "t.db"));
    }
  });
});
