/**
 * The recon capability's part of the API contract. Its methods join `Handlers` in
 * src-shared/api.ts; the engine registers their handlers in src-main/engine/recon/handlers.ts.
 *
 * A reconciliation is one template (see `src-shared/reconRules.ts`) for one period
 * (`YYYY-MM`, plus the template's run-out days). Its rows are materialised when it runs, so
 * every read here pages in SQLite. Money is integer cents.
 */
import type { ReconTemplate, TemplateInfo } from "../reconRules";

export type { ReconTemplate, TemplateInfo } from "../reconRules";

export type ReconSide = "left" | "right";

/**
 * A row's state: `matched` (confirmed group, automatic or manual), `suggested` (in a
 * suggested group and not otherwise classified), `exception` (an open break), `expected`
 * (no partner for a legitimate reason), `explained` (a person marked it explained),
 * `unmatched` (not yet classified; only between runs).
 */
export type ReconItemStatus = "matched" | "suggested" | "unmatched" | "expected" | "exception" | "explained";

/** One line of the balance: reconciling items of one reason. */
export interface ReconcilingLine {
  reason: string;
  /** `exception`, `expected` (legitimately unmatched), `explained` (by a person), `variance` (inside a confirmed match). */
  kind: "exception" | "expected" | "explained" | "variance";
  items: number;
  /** Signed effect on left − right. */
  amountCents: number;
}

/**
 * The balance of a reconciliation. It ties to the cent:
 * `leftTotalCents − rightTotalCents = Σ reconciling[].amountCents + unexplainedCents`.
 */
export interface ReconBalance {
  leftTotalCents: number;
  rightTotalCents: number;
  differenceCents: number;
  leftRows: number;
  rightRows: number;
  matchedLeftCents: number;
  matchedRightCents: number;
  matchedLeftRows: number;
  matchedRightRows: number;
  reconciling: ReconcilingLine[];
  /** What no reason accounts for; zero when every row is classified. */
  unexplainedCents: number;
}

export interface PassCount {
  passId: string;
  label: string;
  /** Confirmed (auto) groups from this pass, including those kept from earlier runs. */
  groups: number;
  suggested: number;
  leftRows: number;
  rightRows: number;
}

/** What a run did and found. */
export interface ReconRunSummary {
  runId: number;
  reconciliationId: number;
  templateId: string;
  period: string;
  /** Dates the sides were read for: the period plus the template's run-out days. */
  window: { from: string; to: string };
  ruleVersion: number;
  /** SHA-256 of the rule definition. */
  ruleHash: string;
  /** SHA-256 over both sides' row hashes: the same inputs give the same hash. */
  inputHash: string;
  leftRows: number;
  rightRows: number;
  /** Rows new or changed since the last run (all rows on a first run). */
  changedRows: number;
  /** Groups kept untouched from before: manual, locked, and automatic ones whose rows did not change. */
  keptGroups: number;
  manualGroups: number;
  passes: PassCount[];
  exceptionsByReason: Record<string, { count: number; amountCents: number }>;
  expectedByReason: Record<string, number>;
  corrections: number;
  balance: ReconBalance;
  durationMs: number;
  /** Where the time went: reading both sides, matching, classifying, saving (absent in runs stored before it was kept). */
  /** `inputs`: recording the files the run read, after the save committed. */
  phasesMs?: { read: number; match: number; classify: number; save: number; inputs?: number };
}

export interface ReconciliationInfo {
  reconciliationId: number;
  templateId: string;
  templateName: string;
  period: string;
  lastRun: ReconRunSummary | null;
  openExceptions: number;
  /**
   * The unexplained difference now, after every match, unmatch and explanation since the last run
   * (`lastRun.balance` is the run's own figure); null before the first run.
   */
  unexplainedCents: number | null;
}

export interface ReconRunInfo {
  runId: number;
  templateId: string;
  period: string;
  ruleVersion: number;
  ruleHash: string;
  inputHash: string;
  leftRows: number;
  rightRows: number;
  changedRows: number;
  actor: string;
  startedAt: string;
  finishedAt: string;
}

export interface ReconRowsArgs {
  templateId: string;
  period: string;
  side: ReconSide;
  offset: number;
  limit: number;
  /** Sortable: rowKey, amountCents, rowDate, status, reason, passId, score, or any side column by name. */
  sort?: { column: string; direction: "asc" | "desc" }[];
  status?: ReconItemStatus[];
  reason?: string[];
  /** Substring of the natural key or of any field. */
  search?: string;
  groupId?: number;
}

/** One row of a side with its match state. `fields` are the side query's columns. */
export interface ReconRow {
  itemId: number;
  side: ReconSide;
  rowKey: string;
  amountCents: number | null;
  rowDate: string | null;
  status: ReconItemStatus;
  reason: string | null;
  groupId: number | null;
  groupKind: "auto" | "suggested" | "manual" | null;
  passId: string | null;
  score: number | null;
  locked: boolean;
  explainedNote: string | null;
  fields: Record<string, string | number | null>;
}

export interface ReconRowsPage {
  rows: ReconRow[];
  /** Rows matching the filter, not only this page. */
  total: number;
  offset: number;
  /** Column names of `fields`, in the side query's order. */
  columns: string[];
}

export interface MatchGroupInfo {
  groupId: number;
  templateId: string;
  period: string;
  kind: "auto" | "suggested" | "manual";
  passId: string | null;
  score: number | null;
  explanation: string;
  /** The totals of the group's rows now. */
  leftCents: number;
  rightCents: number;
  /**
   * The totals when the group was decided (matched, confirmed or matched by hand). They differ from
   * the totals now when a row changed or left its side since; a re-run then raises changed-after-match.
   */
  decidedLeftCents: number;
  decidedRightCents: number;
  locked: boolean;
  createdBy: string;
  createdAt: string;
  note: string | null;
  left: ReconRow[];
  right: ReconRow[];
  exceptions: ExceptionInfo[];
}

export type ExceptionStatus = "open" | "resolved" | "cleared";

export interface ExceptionInfo {
  exceptionId: number;
  templateId: string;
  period: string;
  reason: string;
  /** `cleared`: a later run no longer finds the break. */
  status: ExceptionStatus;
  owner: string | null;
  amountCents: number | null;
  lagDays: number | null;
  /** CARC for denials and underpayments. */
  reasonCode: string | null;
  expected: string | null;
  found: string | null;
  message: string;
  leftKeys: string[];
  rightKeys: string[];
  groupId: number | null;
  openedAt: string;
  /** The oldest activity date of the records it is about (service, posting, deposit date); null before its next run. */
  itemDate: string | null;
  /** Whole days from that date (or from when it was raised, without one) to today, or to its resolution. */
  ageDays: number;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  comments: number;
}

export interface ExceptionComment {
  commentId: number;
  author: string;
  at: string;
  text: string;
}

export interface ExceptionsListArgs {
  templateId?: string;
  period?: string;
  status?: ExceptionStatus[];
  reason?: string[];
  /** An owner's user id, or null for unassigned. */
  owner?: string | null;
  search?: string;
  offset: number;
  limit: number;
  /** Sortable: openedAt, ageDays, amountCents, reason, owner, status, lagDays. */
  sort?: { column: string; direction: "asc" | "desc" }[];
}

/**
 * A fix a break calls for, proposed by a run, for the outbound capability to turn into an
 * adjustment. Every GL journal balances (Σ debit = Σ credit, per period too).
 */
export type CorrectionPayload =
  | {
      kind: "gl-journal";
      journal: {
        description: string;
        source: "TIEOUT";
        lines: {
          lineNumber: number;
          period: string;
          accountingDate: string;
          account: string;
          costCenter: string | null;
          debitCents: number;
          creditCents: number;
          memo: string;
        }[];
      };
    }
  | {
      kind: "inventory-adjustment";
      adjustment: {
        itemNumber: string;
        locationCode: string;
        /** Signed: negative issues stock (Oracle INV convention, STANDARDS.md B4). */
        quantity: number;
        transactionType: "issue" | "receipt" | "adjustment";
        transactionDate: string;
        costCenter: string | null;
        /** Case, account or order the movement was for. */
        reference: string | null;
        unitCostCents: number | null;
        /** Σ quantity × unit cost, negative for an issue. */
        valueCents: number | null;
        /** The GL effect: Dr supply expense / Cr inventory for an issue, reversed for a return. */
        glAccounts: { debit: string; credit: string };
        reason: string;
      };
    }
  | {
      kind: "master-data-fix";
      fix: {
        /** The system whose master is corrected. */
        system: string;
        /** Canonical record type, e.g. "provider", "department", "encounter". */
        recordType: string;
        /** The record's natural key in that system. */
        naturalKey: string;
        /** Canonical field name (camelCase). */
        field: string;
        currentValue: string | null;
        proposedValue: string | null;
        reason: string;
      };
    };

export interface ProposedCorrection {
  correctionId: number;
  exceptionId: number;
  templateId: string;
  period: string;
  kind: CorrectionPayload["kind"];
  /** `accepted`: the outbound capability took it; `withdrawn`: see `withdrawnReason`. */
  status: "proposed" | "accepted" | "withdrawn";
  /**
   * Why Tieout withdrew it: its break cleared (a run no longer found it), was settled by a manual
   * match or an explanation, or was resolved by a person. Null when a person withdrew it; a run
   * proposes again only what Tieout withdrew, once its break is open again.
   */
  withdrawnReason: "break-cleared" | "break-settled" | "break-resolved" | null;
  summary: string;
  amountCents: number | null;
  payload: CorrectionPayload;
  createdAt: string;
}

export interface SavedView {
  viewId: number;
  name: string;
  templateId: string | null;
  /** Grid state as the UI keeps it (filters, sort, columns); opaque to the engine. */
  definition: Record<string, unknown>;
  createdAt: string;
}

export interface ScoreLine {
  templateId: string;
  kind: "matches" | "exceptions";
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /**
   * Misses that are only a choice between indistinguishable records: a false positive and a
   * false negative whose records agree in every field but their own identifiers (two TSH
   * charges on one account and day, one never billed: which one is "missing" no data can say).
   * Counted, not hidden: `precision` and `recall` stay strict; the `…Twins` figures count
   * such a pair as found.
   */
  twinSwaps: number;
  precisionTwins: number;
  recallTwins: number;
}

/** One version of a template's rules, as the store keeps it. */
export interface RuleVersionInfo {
  templateId: string;
  version: number;
  /** Shipped with Tieout, or saved by a person in the rule editor or with `tieout rules set`. */
  origin: "built-in" | "edited";
  /** SHA-256 of the definition and the matcher version: what a run records as its rule hash. */
  hash: string;
  /** When it was first saved or first used by a run. */
  createdAt: string;
  createdBy: string | null;
  /** Why it was changed (required when a person saves rules). */
  note: string | null;
  /** Runs use it now. */
  active: boolean;
  /** What saving or choosing it changed, in words (the answer to `recon/saveRules` and `recon/useRules`). */
  changes?: string[];
}

/** A template's rules: the ones runs use, the built-in ones, and every version the store keeps. */
export interface RuleSetsInfo {
  templateId: string;
  active: ReconTemplate;
  activeHash: string;
  activeOrigin: "built-in" | "edited";
  /** Why the rules in use would not run (saved under looser checks, or no longer fitting the store); null when they run. */
  activeProblem: string | null;
  builtIn: ReconTemplate;
  builtInHash: string;
  /** Newest first. The built-in rules appear once a run used them. */
  versions: RuleVersionInfo[];
}

type ReconRef = { templateId: string; period: string };

export interface ReconHandlers {
  /** The built-in templates with their passes and reasons, for pickers and the reconciliation list. */
  "recon/templates": { args: Record<string, never>; result: TemplateInfo[] };
  /** One template's full rule definition as runs use it now (the built-in one unless a person saved an edit). */
  "recon/template": { args: { templateId: string }; result: ReconTemplate };
  /** A template's rules in use, the built-in ones, and every stored version. */
  "recon/rules": { args: { templateId: string }; result: RuleSetsInfo };
  /**
   * Save an edited rule set (reviewer): checked (structure, and the side queries against the
   * store: read-only, their columns there), given the next version, and used by runs from now
   * on. Audited with what changed. A set equal to the one in use is refused (NO_CHANGE).
   */
  "recon/saveRules": {
    /** `basedOn`: the `activeHash` the edit started from; if another reviewer saved meanwhile, RULES_CHANGED. */
    args: { templateId: string; definition: ReconTemplate; note: string; basedOn?: string };
    result: RuleVersionInfo;
  };
  /** Use a stored version again, or the built-in rules (`hash: null`) (reviewer). Audited: `note` says why, and is required. */
  "recon/useRules": { args: { templateId: string; hash: string | null; note: string }; result: RuleVersionInfo };
  /** Every reconciliation run so far (template × period), with its last summary and open exceptions. */
  "recon/list": { args: { period?: string }; result: ReconciliationInfo[] };
  /**
   * Run a reconciliation now, in the engine process. Keeps manual and locked decisions,
   * re-matches only rows that changed. For large stores prefer `jobs/start` with kind `recon`.
   */
  "recon/run": { args: ReconRef; result: ReconRunSummary };
  /** Past runs of a reconciliation, newest first: rule version and input hash of each. */
  "recon/runs": { args: ReconRef & { limit?: number }; result: ReconRunInfo[] };
  /** The balance as of the last run, recomputed from the stored rows (so manual decisions show). */
  "recon/balance": { args: ReconRef; result: ReconBalance };
  /** One page of a side's rows with match status, sorted and filtered in SQLite. */
  "recon/rows": { args: ReconRowsArgs; result: ReconRowsPage };
  /** A match group with its rows on both sides, its explanation and its exceptions. */
  "recon/group": { args: { groupId: number }; result: MatchGroupInfo };
  /** Match rows by hand (any cardinality). The rows leave the groups they were in; a re-run keeps this. */
  "recon/matchManual": { args: ReconRef & { leftKeys: string[]; rightKeys: string[]; note?: string }; result: MatchGroupInfo };
  /** Confirm suggested groups: they become manual matches. */
  "recon/confirm": { args: { groupIds: number[] }; result: { confirmed: number } };
  /** Break groups apart (bulk). Rows return to unmatched and stay so on re-runs until matched again by hand or by a run after this. */
  "recon/unmatch": { args: { groupIds: number[]; reason?: string }; result: { unmatched: number } };
  /** Mark rows explained (or clear it): no exception is raised for them; a re-run keeps it. */
  "recon/explain": {
    args: ReconRef & { side: ReconSide; keys: string[]; note: string; explained?: boolean };
    result: { explained: number };
  };
  /** Lock (or unlock) a reconciliation's current groups, explanations and exceptions, e.g. at sign-off: re-runs leave them untouched. */
  "recon/lock": { args: ReconRef & { locked: boolean }; result: { groups: number; items: number; exceptions: number } };
  /** Exceptions, paged and filtered, with age in days and comment counts. */
  "exceptions/list": { args: ExceptionsListArgs; result: { items: ExceptionInfo[]; total: number } };
  /** One exception with its comments and proposed corrections. */
  "exceptions/get": {
    args: { exceptionId: number };
    result: { exception: ExceptionInfo; comments: ExceptionComment[]; corrections: ProposedCorrection[] };
  };
  /** Give exceptions an owner (bulk), or null to unassign. */
  "exceptions/assign": { args: { exceptionIds: number[]; owner: string | null }; result: { assigned: number } };
  /** Add a comment to an exception. */
  "exceptions/comment": { args: { exceptionId: number; text: string }; result: ExceptionComment };
  /** Resolve exceptions (bulk) with a resolution note; their proposed corrections stay for the outbound capability. */
  "exceptions/resolve": { args: { exceptionIds: number[]; resolution: string }; result: { resolved: number } };
  /** Reopen resolved exceptions (bulk). */
  "exceptions/reopen": { args: { exceptionIds: number[] }; result: { reopened: number } };
  /** Proposed corrections (GL journals, inventory adjustments, master-data fixes), newest first. */
  "recon/corrections": {
    args: {
      templateId?: string;
      period?: string;
      status?: ProposedCorrection["status"][];
      kind?: CorrectionPayload["kind"][];
      limit?: number;
      offset?: number;
    };
    result: { items: ProposedCorrection[]; total: number };
  };
  /** Mark proposed corrections accepted (taken into an adjustment) or withdrawn. */
  "recon/correctionStatus": { args: { correctionIds: number[]; status: "accepted" | "withdrawn" }; result: { updated: number } };
  /** The caller's saved grid views. */
  "recon/views": { args: { templateId?: string }; result: SavedView[] };
  /** Save (or replace by name) a grid view for the caller. */
  "recon/saveView": { args: { name: string; templateId?: string | null; definition: Record<string, unknown> }; result: SavedView };
  "recon/deleteView": { args: { viewId: number }; result: { deleted: boolean } };
}

export const RECON_METHODS = [
  "recon/templates",
  "recon/template",
  "recon/rules",
  "recon/saveRules",
  "recon/useRules",
  "recon/list",
  "recon/run",
  "recon/runs",
  "recon/balance",
  "recon/rows",
  "recon/group",
  "recon/matchManual",
  "recon/confirm",
  "recon/unmatch",
  "recon/explain",
  "recon/lock",
  "exceptions/list",
  "exceptions/get",
  "exceptions/assign",
  "exceptions/comment",
  "exceptions/resolve",
  "exceptions/reopen",
  "recon/corrections",
  "recon/correctionStatus",
  "recon/views",
  "recon/saveView",
  "recon/deleteView",
] as const satisfies readonly (keyof ReconHandlers)[];

export interface ReconEvents {
  /** A reconciliation's rows, groups or exceptions changed (a run, a manual decision): grids refresh. */
  "recon/changed": { templateId: string; period: string; runId: number | null };
  /** A reviewer saved or chose other rules for a template: the next run uses them. */
  "recon/rulesChanged": { templateId: string; version: number };
}

export interface ReconJobParams {
  /** Run one reconciliation (template × period) in a worker thread. */
  recon: { templateId: string; period: string };
}
