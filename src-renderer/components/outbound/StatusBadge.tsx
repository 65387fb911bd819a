import type { AdjustmentStatus, OutboxStatus } from "../../../src-shared/api/outbound";

const LABELS: Record<AdjustmentStatus | OutboxStatus, string> = {
  draft: "Draft",
  submitted: "Awaiting approval",
  approved: "Approved",
  rejected: "Rejected",
  queued: "Queued",
  sending: "Sending",
  posted: "Posted",
  failed: "Failed, will retry",
  dead: "Dead",
  abandoned: "Abandoned",
};

/** One status word with a colour class; the text alone carries the meaning. */
export function StatusBadge({ status }: { status: AdjustmentStatus | OutboxStatus }) {
  return <span className={`ob-badge ob-${status}`}>{LABELS[status]}</span>;
}
