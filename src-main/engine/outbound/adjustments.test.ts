import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../audit/auditLog";
import type { Store } from "../store/store";
import {
  approveAdjustment,
  createInventoryAdjustment,
  createJournal,
  createMasterDataFix,
  getAdjustment,
  listAdjustments,
  rejectAdjustment,
  reverseAdjustment,
  submitAdjustment,
  updateAdjustment,
} from "./adjustments";
import { saveOutboundSettings } from "./outboundSettings";
import { listOutbox } from "./outbox";
import { closePeriod, listPeriods, reopenPeriod } from "./periods";
import { ana, approvedJournal, cat, journal, rob, tempStore } from "./testSupport.test-helper";

let store: Store;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
});
afterEach(async () => {
  await cleanup();
});

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe("journal checks before submit", () => {
  it("saves an unbalanced draft but refuses to submit it, naming debits and credits", () => {
    const draft = createJournal(store, ana.userId, {
      ...journal(),
      lines: [
        { account: "4010", debitCents: 10_000, creditCents: 0 },
        { account: "1200", debitCents: 0, creditCents: 9_999 },
      ],
    });
    expect(draft.status).toBe("draft");
    expect(draft.problems.map((p) => p.code)).toEqual(["UNBALANCED"]);
    expect(draft.problems[0]!.message).toContain("debits 100.00, credits 99.99, difference 0.01");
    expect(() => submitAdjustment(store, ana, draft.id)).toThrow(/does not balance/);
    expect(getAdjustment(store, draft.id).status).toBe("draft");
  });

  it("refuses an account that is not in the crosswalks, GL lines or chart, naming the line", () => {
    const draft = createJournal(store, ana.userId, {
      ...journal(),
      lines: [
        { account: "4010", debitCents: 500, creditCents: 0 },
        { account: "9999", debitCents: 0, creditCents: 500 },
      ],
    });
    expect(draft.problems[0]).toMatchObject({ code: "UNKNOWN_ACCOUNT", where: { line: 2, field: "account" }, found: "9999" });
    expect(codeOf(() => submitAdjustment(store, ana, draft.id))).toBe("UNKNOWN_ACCOUNT");
  });

  it("accepts accounts known from crosswalks and GL journal lines in the store", () => {
    saveOutboundSettings(store, "test", { chartOfAccounts: [] });
    store.sqlite
      .prepare("INSERT INTO crosswalk (system, kind, from_code, to_code) VALUES ('billing', 'cdm-gl-account', '0300', '4500')")
      .run();
    store.sqlite
      .prepare(
        `INSERT INTO journal_line (system, journal_id, line_number, ledger, period, accounting_date, account, debit_cents, credit_cents)
         VALUES ('erp', 'J1', 1, 'US-PRIMARY', '2026-10', '2026-10-01', '1100', 100, 0)`,
      )
      .run();
    const draft = createJournal(store, ana.userId, {
      ...journal(),
      lines: [
        { account: "4500", debitCents: 500, creditCents: 0 },
        { account: "1100", debitCents: 0, creditCents: 500 },
      ],
    });
    expect(draft.problems).toEqual([]);
  });

  it("refuses a closed period and an accounting date outside the period", () => {
    closePeriod(store, rob.userId, "US-PRIMARY", "2026-09");
    const closed = createJournal(store, ana.userId, journal(100, { period: "2026-09", accountingDate: "2026-09-30" }));
    expect(codeOf(() => submitAdjustment(store, ana, closed.id))).toBe("PERIOD_CLOSED");
    const mismatch = createJournal(store, ana.userId, journal(100, { accountingDate: "2026-11-01" }));
    expect(codeOf(() => submitAdjustment(store, ana, mismatch.id))).toBe("PERIOD_MISMATCH");
    expect(listPeriods(store).find((p) => p.period === "2026-09")).toMatchObject({ status: "closed", closedBy: "rob" });
  });

  it("refuses fractional or negative cents at once", () => {
    expect(codeOf(() => createJournal(store, ana.userId, journal(10.5)))).toBe("INVALID_AMOUNT");
    expect(codeOf(() => createJournal(store, ana.userId, journal(-1)))).toBe("INVALID_AMOUNT");
  });
});

describe("maker-checker", () => {
  it("does not let the preparer approve their own adjustment", () => {
    const draft = createJournal(store, rob.userId, journal());
    submitAdjustment(store, rob, draft.id);
    expect(codeOf(() => approveAdjustment(store, rob, draft.id, null))).toBe("SELF_APPROVAL");
    approveAdjustment(store, cat, draft.id, null);
    expect(getAdjustment(store, draft.id).status).toBe("approved");
  });

  it("needs two different approvers at or above the threshold", () => {
    saveOutboundSettings(store, "test", { secondApprovalThresholdCents: 1_000_000 });
    const big = createJournal(store, ana.userId, journal(1_000_000));
    const submitted = submitAdjustment(store, ana, big.id);
    expect(submitted.requiredApprovals).toBe(2);
    const once = approveAdjustment(store, rob, big.id, "looks right");
    expect(once).toMatchObject({ status: "submitted", approvals: 1 });
    expect(listOutbox(store)).toHaveLength(0);
    expect(codeOf(() => approveAdjustment(store, rob, big.id, null))).toBe("ALREADY_APPROVED");
    const twice = approveAdjustment(store, cat, big.id, null);
    expect(twice).toMatchObject({ status: "approved", approvals: 2 });
    expect(twice.outbox).toMatchObject({ status: "queued" });

    const small = createJournal(store, ana.userId, journal(999_999));
    expect(submitAdjustment(store, ana, small.id).requiredApprovals).toBe(1);
  });

  it("needs a reason to reject, and a rejected adjustment can be fixed and resubmitted", () => {
    const draft = createJournal(store, ana.userId, journal());
    submitAdjustment(store, ana, draft.id);
    expect(codeOf(() => rejectAdjustment(store, rob, draft.id, "  "))).toBe("REASON_REQUIRED");
    const rejected = rejectAdjustment(store, rob, draft.id, "wrong cost center");
    expect(rejected).toMatchObject({ status: "rejected", rejectionReason: "wrong cost center" });
    const fixed = updateAdjustment(store, ana, { id: draft.id, journal: journal(12_345, { description: "fixed" }) });
    expect(fixed.status).toBe("draft");
    submitAdjustment(store, ana, draft.id);
    expect(approveAdjustment(store, rob, draft.id, null).status).toBe("approved");
  });

  it("keeps an approved adjustment immutable: a change is a reversal and a new adjustment", () => {
    const id = approvedJournal(store);
    expect(codeOf(() => updateAdjustment(store, ana, { id, journal: journal(1) }))).toBe("IMMUTABLE");
    const reversal = reverseAdjustment(store, ana, id, "2026-11-02", "posted to the wrong account");
    expect(reversal).toMatchObject({ status: "draft", reversalOf: id, period: "2026-11" });
    expect(reversal.journal!.lines.map((l) => [l.account, l.debitCents, l.creditCents])).toEqual([
      ["4010", 0, 12_345],
      ["1200", 12_345, 0],
    ]);
    expect(getAdjustment(store, id).reversedBy).toBe(reversal.id);
    expect(codeOf(() => reverseAdjustment(store, ana, id, "2026-11-02", "again"))).toBe("ALREADY_REVERSED");
  });

  it("locks a closed period for approval too, and reopening needs a reason", () => {
    const draft = createJournal(store, ana.userId, journal());
    submitAdjustment(store, ana, draft.id);
    closePeriod(store, rob.userId, "*", "2026-10");
    expect(codeOf(() => approveAdjustment(store, rob, draft.id, null))).toBe("PERIOD_CLOSED");
    expect(codeOf(() => reopenPeriod(store, "admin", "*", "2026-10", ""))).toBe("REASON_REQUIRED");
    reopenPeriod(store, "admin", "*", "2026-10", "late accrual agreed with the controller");
    expect(approveAdjustment(store, rob, draft.id, null).status).toBe("approved");
  });

  it("writes every step into the audit trail, and the chain verifies", () => {
    const id = approvedJournal(store);
    const actions = (
      store.sqlite
        .prepare("SELECT action FROM audit_log WHERE entity_type = 'adjustment' AND entity_id = ? ORDER BY seq")
        .all(String(id)) as {
        action: string;
      }[]
    ).map((r) => r.action);
    expect(actions).toEqual(["create", "submit", "approve"]);
    const queued = store.sqlite
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE entity_type = 'outbox-item' AND action = 'queue'")
      .get() as { n: number };
    expect(queued.n).toBe(1);
    expect(verifyAuditChain(store).ok).toBe(true);
  });
});

describe("inventory adjustments and master-data fixes", () => {
  it("takes them through the same approval, with value-based thresholds", () => {
    saveOutboundSettings(store, "test", { secondApprovalThresholdCents: 50_000 });
    const inv = createInventoryAdjustment(store, ana.userId, {
      item: "IMPL-100",
      location: "OR-1",
      quantity: -3,
      unitCostCents: 25_000,
      reason: "implant used, not issued",
      exceptionRef: "EX-17",
      reconRef: "supply-inventory/2026-10",
    });
    expect(inv.amountCents).toBe(75_000);
    expect(submitAdjustment(store, ana, inv.id).requiredApprovals).toBe(2);
    const fix = createMasterDataFix(store, ana.userId, {
      entity: "costCenter",
      key: "D200",
      field: "glAccount",
      oldValue: "4000",
      newValue: "4010",
    });
    submitAdjustment(store, ana, fix.id);
    expect(approveAdjustment(store, rob, fix.id, null).outbox?.status).toBe("queued");
    expect(listAdjustments(store, { exceptionRef: "EX-17" }).map((a) => a.id)).toEqual([inv.id]);
  });
});

describe("the database enforces immutability", () => {
  it("refuses to change an approved adjustment, its lines or its outbox payload even through raw SQL", () => {
    const id = approvedJournal(store);
    expect(() => store.sqlite.prepare("UPDATE adjustment SET description = 'x' WHERE id = ?").run(id)).toThrow(
      /approved adjustment cannot be changed/,
    );
    expect(() => store.sqlite.prepare("UPDATE adjustment_line SET debit_cents = 1 WHERE adjustment_id = ?").run(id)).toThrow(
      /cannot be changed/,
    );
    expect(() => store.sqlite.prepare("UPDATE outbox_item SET payload_json = '{}' WHERE adjustment_id = ?").run(id)).toThrow(
      /never change/,
    );
    expect(() => store.sqlite.prepare("UPDATE outbox_item SET status = 'sending' WHERE adjustment_id = ?").run(id)).not.toThrow();
  });
});
