import type { ExceptionStatus, ReconItemStatus } from "../../../src-shared/api/recon";

export const ITEM_STATUSES: ReconItemStatus[] = ["matched", "suggested", "exception", "expected", "explained", "unmatched"];

export const STATUS_LABEL: Record<ReconItemStatus, string> = {
  matched: "Matched",
  suggested: "Suggested",
  unmatched: "Unmatched",
  expected: "Expected",
  exception: "Exception",
  explained: "Explained",
};

export const EXCEPTION_STATUSES: ExceptionStatus[] = ["open", "resolved", "cleared"];

/** Reason codes are kebab-case in the rules ("missing-in-billing"); people read "Missing in billing". */
export function reasonLabel(reason: string | null | undefined): string {
  if (!reason) return "";
  const words = reason.replace(/-/g, " ");
  return words
    .charAt(0)
    .toUpperCase()
    .concat(words.slice(1))
    .replace(/\b(ehr|gl|npi|eft|carc)\b/gi, (w) => w.toUpperCase());
}

const PERIOD_KEY = "tieout.recon.period";

/**
 * The period a reconciliation page opens on: the one last chosen in this browser, else the
 * month before today (the month being closed).
 */
export function initialPeriod(): string {
  const saved = localStorage.getItem(PERIOD_KEY);
  if (saved && /^\d{4}-\d{2}$/.test(saved)) return saved;
  const now = new Date();
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${previous.getUTCFullYear()}-${String(previous.getUTCMonth() + 1).padStart(2, "0")}`;
}

export function rememberPeriod(period: string): void {
  if (/^\d{4}-\d{2}$/.test(period)) localStorage.setItem(PERIOD_KEY, period);
}

export const isPeriod = (text: string | undefined): text is string => !!text && /^\d{4}-\d{2}$/.test(text);

/** The rows behind a dashboard tile: one template's exceptions of some reasons. */
export interface BusinessTile {
  id: string;
  label: string;
  templateId: string;
  /** Empty: every exception reason of the template. */
  reasons: string[];
}

/** The business measures of the control tower, each the exceptions of one reconciliation. */
export const BUSINESS_TILES: BusinessTile[] = [
  { id: "unbilled", label: "Unbilled encounters", templateId: "registration-billing", reasons: ["missing-billing-account"] },
  {
    id: "charges",
    label: "Late and missing charges",
    templateId: "charge-reconciliation",
    reasons: ["late-charge", "missing-in-billing", "missing-in-ehr"],
  },
  { id: "denials", label: "Denials and underpayments", templateId: "claim-remittance", reasons: ["denial", "underpayment"] },
  {
    id: "cash",
    label: "Unapplied cash, unmatched EFTs, trace mismatches",
    templateId: "remittance-bank",
    reasons: ["unapplied-cash", "missing-deposit", "trace-mismatch"],
  },
  {
    id: "journals",
    label: "Journals to the wrong cost center or period",
    templateId: "billing-gl",
    reasons: ["wrong-cost-center", "wrong-period"],
  },
  { id: "inventory", label: "Inventory exceptions", templateId: "supply-inventory", reasons: [] },
  { id: "masters", label: "Master-data mismatches", templateId: "master-data", reasons: [] },
];

/**
 * `/audit/signoff/<template>/<period>`: sign-off, workpaper and the exceptions' Excel round trip
 * (export the open exceptions, import a filled workbook) of one reconciliation and period.
 */
export function signoffSub(templateId: string, period: string): string {
  return `signoff/${encodeURIComponent(templateId)}/${period}`;
}

/** The exceptions page's filter as its path keeps it. */
export interface ExceptionsPathFilter {
  templateId: string | null;
  reasons: string[];
  period: string | null;
  /** "" anyone, "-" unassigned, else a user id. */
  owner: string;
  /** Empty: any status. */
  status: ExceptionStatus[];
  search: string;
}

const ANY_OWNER = "anyone";
const UNASSIGNED = "unassigned";
const ANY_STATUS = "any";

/**
 * `/exceptions/<template>/<reason,reason>/<period>[/<status,status>/<owner>/<search>]`: the exceptions
 * page's filter in the path, so a tile is a link and a reload or a shared link keeps the filter. The
 * last three are left off while they are the defaults (open, anyone, no search).
 */
export function exceptionsSub(filter: Partial<ExceptionsPathFilter>): string {
  const parts = [
    filter.templateId || "all",
    filter.reasons && filter.reasons.length > 0 ? filter.reasons.join(",") : "all",
    filter.period || "any",
  ];
  const status = EXCEPTION_STATUSES.filter((s) => (filter.status ?? ["open"]).includes(s));
  const owner = filter.owner ?? "";
  const search = (filter.search ?? "").trim();
  const tail = [
    status.length === 0 ? ANY_STATUS : status.join(","),
    owner === "" ? ANY_OWNER : owner === "-" ? UNASSIGNED : encodeURIComponent(owner),
    encodeURIComponent(search),
  ];
  while (tail.length > 0 && tail[tail.length - 1] === ["open", ANY_OWNER, ""][tail.length - 1]) tail.pop();
  return [...parts, ...tail].join("/");
}

const decode = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

export function parseExceptionsSub(sub: string | undefined): ExceptionsPathFilter {
  const [template, reasons, period, status, owner, search] = (sub ?? "").split("/");
  return {
    templateId: template && template !== "all" ? decode(template) : null,
    reasons: reasons && reasons !== "all" ? reasons.split(",").filter(Boolean) : [],
    period: isPeriod(period) ? period : null,
    status: !status ? ["open"] : status === ANY_STATUS ? [] : EXCEPTION_STATUSES.filter((s) => status.split(",").includes(s)),
    owner: !owner || owner === ANY_OWNER ? "" : owner === UNASSIGNED ? "-" : decode(owner),
    search: search ? decode(search) : "",
  };
}
