import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UserInfo } from "../../../src-shared/api";
import type { JournalInput } from "../../../src-shared/api/outbound";
import { openStore, type Store } from "../store/store";
import { approveAdjustment, createJournal, submitAdjustment } from "./adjustments";
import { saveOutboundSettings } from "./outboundSettings";

export const ana: UserInfo = { userId: "ana", displayName: "Ana Analyst", roles: ["preparer"] };
export const rob: UserInfo = { userId: "rob", displayName: "Rob Reviewer", roles: ["preparer", "approver", "reviewer"] };
export const cat: UserInfo = { userId: "cat", displayName: "Cat Controller", roles: ["approver"] };

export const ACCOUNTS = ["1200", "4000", "4010", "6100", "1400"];

export async function tempStore(prefix = "tieout-outbound-"): Promise<{ store: Store; dir: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = await openStore(join(dir, "t.db"));
  saveOutboundSettings(store, "test", { chartOfAccounts: ACCOUNTS });
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function journal(amountCents = 12_345, overrides: Partial<JournalInput> = {}): JournalInput {
  return {
    ledger: "US-PRIMARY",
    period: "2026-10",
    accountingDate: "2026-10-31",
    description: "Reclass contractual allowance",
    lines: [
      { account: "4010", costCenter: "CC100", departmentCode: "D200", debitCents: amountCents, creditCents: 0, description: "allowance" },
      { account: "1200", costCenter: "CC100", departmentCode: null, debitCents: 0, creditCents: amountCents, description: "AR" },
    ],
    ...overrides,
  };
}

/** Create, submit and approve a journal: returns its id (now queued in the outbox). */
export function approvedJournal(store: Store, amountCents = 12_345, overrides: Partial<JournalInput> = {}): number {
  const created = createJournal(store, ana.userId, journal(amountCents, overrides));
  submitAdjustment(store, ana, created.id);
  approveAdjustment(store, rob, created.id, null);
  return created.id;
}
