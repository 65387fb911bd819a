import type { AdjustmentDetail } from "../../../src-shared/api/outbound";
import { requireUser, UserError, type EngineContext } from "../handlerRegistry";
import { setCorrectionStatus } from "../recon/decisions";
import { listCorrections } from "../recon/queries";
import { proposalsFromReconCorrection } from "./fromReconCorrection";
import {
  approveAdjustment,
  createFromProposal,
  createInventoryAdjustment,
  createJournal,
  createMasterDataFix,
  duplicateAdjustment,
  getAdjustment,
  knownAccounts,
  listAdjustments,
  rejectAdjustment,
  reverseAdjustment,
  submitAdjustment,
  updateAdjustment,
} from "./adjustments";
import { dispatchDue, type OutboxChange } from "./dispatcher";
import { loadOutboundSettings, saveOutboundSettings } from "./outboundSettings";
import { abandonOutboxItem, getOutboxItem, listOutbox, outboxStatus, replayOutboxItem } from "./outbox";
import { closePeriod, listPeriods, reopenPeriod } from "./periods";

const AUTO_DISPATCH_MS = 5_000;

/** Registers the outbound capability's methods (declared in src-shared/api/outbound.ts). */
export function registerOutboundHandlers({ store, events, registry }: EngineContext): void {
  const changed = (detail: AdjustmentDetail): AdjustmentDetail => {
    events.emit("adjustments/changed", { id: detail.id, status: detail.status });
    if (detail.outbox) {
      events.emit("outbox/changed", {
        id: detail.outbox.itemId,
        adjustmentId: detail.id,
        status: detail.outbox.status,
        erpDocumentId: detail.outbox.erpDocumentId,
      });
    }
    events.emit("store/changed", { tables: ["adjustment", "outbox_item"] });
    return detail;
  };
  const onOutboxChange = (change: OutboxChange): void => {
    events.emit("outbox/changed", change);
  };

  registry.register("adjustments/list", (args) => listAdjustments(store, args ?? {}));
  registry.register("adjustments/get", (args) => getAdjustment(store, Number(args?.id)));
  registry.register("adjustments/accounts", () => [...knownAccounts(store)].sort());
  registry.register("adjustments/createJournal", (args, call) => changed(createJournal(store, call.actor, args)), "preparer");
  registry.register("adjustments/createInventory", (args, call) => changed(createInventoryAdjustment(store, call.actor, args)), "preparer");
  registry.register("adjustments/createMasterDataFix", (args, call) => changed(createMasterDataFix(store, call.actor, args)), "preparer");
  registry.register(
    "adjustments/createFromProposal",
    (args, call) => changed(createFromProposal(store, call.actor, args?.proposal)),
    "preparer",
  );
  registry.register(
    "adjustments/createFromCorrection",
    (args, call) => {
      const correction = listCorrections(store, { correctionId: Number(args?.correctionId) }).items[0];
      if (!correction) throw new UserError("NOT_FOUND", `There is no proposed correction ${String(args?.correctionId)}.`);
      if (correction.status !== "proposed") {
        throw new UserError("NOT_PROPOSED", `Correction ${correction.correctionId} is already ${correction.status}.`);
      }
      const proposals = proposalsFromReconCorrection(correction, loadOutboundSettings(store).ledgerId);
      const created = store.sqlite
        .transaction(() => {
          const details = proposals.map((proposal) => createFromProposal(store, call.actor, proposal));
          setCorrectionStatus(store, call.actor, [correction.correctionId], "accepted");
          return details;
        })
        .immediate();
      return created.map(changed);
    },
    "preparer",
  );
  registry.register("adjustments/update", (args, call) => changed(updateAdjustment(store, requireUser(call), args)), "preparer");
  registry.register(
    "adjustments/submit",
    (args, call) => changed(submitAdjustment(store, requireUser(call), Number(args?.id))),
    "preparer",
  );
  registry.register(
    "adjustments/approve",
    (args, call) => changed(approveAdjustment(store, requireUser(call), Number(args?.id), args?.comment?.trim() || null)),
    "approver",
  );
  registry.register(
    "adjustments/reject",
    (args, call) => changed(rejectAdjustment(store, requireUser(call), Number(args?.id), args?.reason)),
    "approver",
  );
  registry.register(
    "adjustments/reverse",
    (args, call) => changed(reverseAdjustment(store, requireUser(call), Number(args?.id), args?.accountingDate, args?.reason)),
    "preparer",
  );
  registry.register(
    "adjustments/duplicate",
    (args, call) => changed(duplicateAdjustment(store, requireUser(call), Number(args?.id))),
    "preparer",
  );

  registry.register("outbox/list", (args) => listOutbox(store, args ?? {}));
  registry.register("outbox/status", () => outboxStatus(store));
  registry.register("outbox/get", (args) => getOutboxItem(store, Number(args?.id)));
  registry.register(
    "outbox/replay",
    (args, call) => {
      const item = replayOutboxItem(store, call.actor, Number(args?.id), args?.reason);
      onOutboxChange({ id: item.id, adjustmentId: item.adjustmentId, status: item.status, erpDocumentId: item.erpDocumentId });
      return item;
    },
    "approver",
  );
  registry.register(
    "outbox/abandon",
    (args, call) => {
      const item = abandonOutboxItem(store, call.actor, Number(args?.id), args?.reason);
      onOutboxChange({ id: item.id, adjustmentId: item.adjustmentId, status: item.status, erpDocumentId: item.erpDocumentId });
      return item;
    },
    "approver",
  );
  registry.register("outbox/dispatch", (args) =>
    dispatchDue(store, { limit: Math.min(Number(args?.limit ?? 50) || 50, 500), onChange: onOutboxChange }),
  );
  registry.register("outbox/settings", () => loadOutboundSettings(store));
  registry.register("outbox/saveSettings", (args, call) => saveOutboundSettings(store, call.actor, args ?? {}), "admin");
  registry.register("periods/list", () => listPeriods(store));
  registry.register(
    "periods/close",
    (args, call) => closePeriod(store, call.actor, String(args?.ledger ?? ""), String(args?.period ?? "")),
    "approver",
  );
  registry.register(
    "periods/reopen",
    (args, call) => reopenPeriod(store, call.actor, String(args?.ledger ?? ""), String(args?.period ?? ""), args?.reason),
    "admin",
  );

  startAutoDispatch(store, onOutboxChange);
}

/**
 * When "autoDispatch" is on, the app sends due items in the background too (the CLI's
 * `tieout outbox run` does the same headless). The timer is unref'd and stops by itself
 * once the store is closed, so it never keeps a process alive or outlives its engine.
 */
function startAutoDispatch(store: EngineContext["store"], onChange: (change: OutboxChange) => void): void {
  let running = false;
  const tick = (): void => {
    if (!store.sqlite.open) return;
    if (!running) {
      let enabled = false;
      try {
        enabled = loadOutboundSettings(store).autoDispatch;
      } catch {
        enabled = false;
      }
      if (enabled) {
        running = true;
        dispatchDue(store, { limit: 20, onChange })
          .catch(() => undefined)
          .finally(() => {
            running = false;
          });
      }
    }
    setTimeout(tick, AUTO_DISPATCH_MS).unref();
  };
  setTimeout(tick, AUTO_DISPATCH_MS).unref();
}
