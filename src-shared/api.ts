/**
 * The one API contract between the UI and the engine. The Electron preload bridge,
 * the web server's router and the renderer's client are all typed against
 * `Handlers` and `EngineEvents`; none declares a method of its own.
 *
 * Every method takes one plain JSON argument and returns plain JSON. Errors a user
 * can meet come back as `ApiError` values (see `ApiResult`), never stack traces.
 */
import { AUDIT_METHODS, type AuditEvents, type AuditHandlers, type AuditJobParams } from "./api/audit";
import { OUTBOUND_METHODS, type OutboundEvents, type OutboundHandlers, type OutboundJobParams } from "./api/outbound";
import { RECON_METHODS, type ReconEvents, type ReconHandlers, type ReconJobParams } from "./api/recon";
import type { MappingProfile } from "./mapping";
import type { CanonicalType, ParseIssue, SourceFormat, SourceSystem } from "./model";

// ---------------------------------------------------------------- shared shapes

export type SortDirection = "asc" | "desc";

export interface SortSpec {
  column: string;
  direction: SortDirection;
}

/** A column filter from the grid: text contains / equals, number and date ranges. */
export type ColumnFilter =
  | { column: string; kind: "text"; op: "contains" | "equals" | "startsWith"; value: string }
  | { column: string; kind: "number"; op: "=" | "<" | "<=" | ">" | ">=" | "between"; value: number; valueTo?: number }
  | { column: string; kind: "date"; op: "=" | "<" | ">" | "between"; value: string; valueTo?: string }
  | { column: string; kind: "set"; values: (string | number | null)[] };

export type ColumnKind = "text" | "cents" | "number" | "date" | "timestamp" | "boolean" | "id";

export interface ColumnInfo {
  name: string;
  label: string;
  kind: ColumnKind;
}

export interface RowPage {
  columns: ColumnInfo[];
  rows: Record<string, string | number | null>[];
  /** Total rows matching the filter (not just this page). */
  total: number;
  offset: number;
}

export interface TableSummary {
  /** Canonical record type stored in the table. */
  recordType: CanonicalType;
  table: string;
  label: string;
  rows: number;
}

export interface StoreSummary {
  dbPath: string;
  schemaVersion: number;
  tables: TableSummary[];
  rawRecords: number;
  quarantined: number;
  sourceFiles: number;
  lastImportAt: string | null;
}

/** Job kinds and their parameters; capabilities add theirs in `api/*.ts`. */
export interface JobParamsByKind extends ReconJobParams, OutboundJobParams, AuditJobParams {
  /** Import files or folders (every file inside) into the store. */
  ingest: { paths: string[] };
}
export type JobKind = keyof JobParamsByKind;
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface JobInfo {
  id: string;
  kind: JobKind;
  status: JobStatus;
  /** Human label, e.g. "Import 3 files". */
  label: string;
  /** Who started it (a user id, `cli:<name>` or `system`); only they or an administrator may cancel it. */
  requestedBy: string;
  /** What it was started with (a reconciliation's template and period, an import's files). */
  params: Record<string, unknown>;
  phase: string | null;
  done: number;
  total: number | null;
  message: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Present when the job failed: a readable reason. */
  error: string | null;
  /** Job-specific result summary (counts), present when it succeeded. */
  result: Record<string, unknown> | null;
}

export interface FileIngestSummary {
  file: string;
  format: SourceFormat | null;
  system: SourceSystem | null;
  /** Raw units in the file (messages, transactions, rows). */
  records: number;
  loaded: number;
  quarantined: number;
  duplicates: number;
  /** The whole file was seen before (same SHA-256): nothing changed. */
  duplicateFile: boolean;
  issues: ParseIssue[];
}

export interface IngestResult {
  files: FileIngestSummary[];
  records: number;
  loaded: number;
  quarantined: number;
  duplicates: number;
}

export interface QuarantineItem {
  rawRecordId: number;
  sourceFile: string | null;
  kind: string;
  line: number | null;
  receivedAt: string;
  issues: ParseIssue[];
  text: string;
}

/** The dashboard's measures that come straight from the store (reconciliation results add their own). */
export interface DashboardSummary {
  /** Days from service date to posting date of EHR charges: how late charges are entered. */
  chargeLag: {
    buckets: { label: string; minDays: number; maxDays: number | null; charges: number; amountCents: number }[];
    charges: number;
    /** Share of charges posted more than `lateAfterDays` after service, 0..1. */
    lateRate: number;
    lateAfterDays: number;
  };
  /** Raw records received per day (last 31 days with activity), by how they ended. */
  intake: { date: string; loaded: number; ignored: number; quarantined: number }[];
}

/** One connector's counts as the Sources page shows them. */
export interface ConnectorStatus {
  /** e.g. "hl7v2", "x12-835", "csv", or "mllp:2575" for a live feed. */
  connector: string;
  live: boolean;
  received: number;
  loaded: number;
  /** Valid records we keep but do not map (an ORU on an ADT feed, a 277 in an X12 folder). */
  ignored: number;
  quarantined: number;
  duplicates: number;
  lastActivityAt: string | null;
  lastError: string | null;
}

/** A field of a canonical record type, for the mapping step of the import wizard. */
export interface CanonicalFieldInfo {
  name: string;
  kind: "text" | "cents" | "number" | "date" | "instant" | "boolean";
  required: boolean;
}

export interface ImportPreview {
  path: string;
  fileName: string;
  sizeBytes: number;
  format: SourceFormat | null;
  confidence: "high" | "medium" | "low";
  /** Why the format was chosen, in words. */
  reason: string;
  /** The file was imported before (same SHA-256). */
  alreadyImported: boolean;
  /** First lines of a non-tabular file. */
  sample: string | null;
  /** CSV/XLSX only. */
  tabular: {
    headers: string[];
    rows: string[][];
    sheets: string[] | null;
    delimiter: string | null;
    rowCountEstimate: number;
    /** The saved or built-in profile whose layout matches the header row, if any. */
    matchedProfile: MappingProfile | null;
  } | null;
}

/**
 * What a user may do. A preparer makes matches and adjustments; an approver approves
 * other people's adjustments; a reviewer signs off reconciliations; phi may see
 * patient identifiers unmasked; admin manages users and settings.
 */
export type Role = "preparer" | "approver" | "reviewer" | "phi" | "admin";

export interface UserInfo {
  userId: string;
  displayName: string;
  roles: Role[];
}

/** Whether a user may act in a role: an administrator has every role. The engine and the UI ask the same. */
export function hasRole(user: Pick<UserInfo, "roles">, role: Role): boolean {
  return user.roles.includes(role) || user.roles.includes("admin");
}

/** Whether a user may cancel a job: who started it, or an administrator (the engine refuses anyone else). */
export function mayCancelJob(user: Pick<UserInfo, "userId" | "roles">, job: { requestedBy: string }): boolean {
  return job.requestedBy === user.userId || hasRole(user, "admin");
}

export interface ApiError {
  code: string;
  message: string;
  details?: unknown;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

// ---------------------------------------------------------------- the handlers map

/** Methods of the foundation: the store, jobs, imports, sign-in. */
export interface CoreHandlers {
  /** The users who can sign in (no secrets), for the sign-in screen. */
  "auth/users": { args: Record<string, never>; result: UserInfo[] };
  /** Sign in; the session id goes with every later call. */
  "auth/login": { args: { userId: string; password: string }; result: { sessionId: string; user: UserInfo } };
  "auth/logout": { args: Record<string, never>; result: { ok: true } };
  /** The signed-in user of this session, or null. */
  "auth/me": { args: Record<string, never>; result: UserInfo | null };
  /** Add a user (administrators only). */
  "auth/createUser": { args: { userId: string; displayName: string; roles: Role[]; password: string }; result: UserInfo };
  /** Version, database path and schema version of the running engine. */
  "app/info": {
    args: Record<string, never>;
    result: { version: string; dbPath: string; schemaVersion: number; mode: "electron" | "web" | "cli" };
  };
  /** Business measures straight from the store: charge lag, daily intake. */
  "dashboard/summary": { args: Record<string, never>; result: DashboardSummary };
  /** Row counts of every canonical table and of the raw archive. */
  "store/summary": { args: Record<string, never>; result: StoreSummary };
  /** One page of a canonical table, sorted and filtered in SQLite (never the whole table). */
  "rows/page": {
    args: { table: string; offset: number; limit: number; sort?: SortSpec[]; filters?: ColumnFilter[]; search?: string };
    result: RowPage;
  };
  /** Start a long job in a worker thread; progress arrives as `job/progress` events. */
  "jobs/start": { args: { [K in JobKind]: { kind: K; params: JobParamsByKind[K] } }[JobKind]; result: { jobId: string } };
  /** Recent jobs, newest first. */
  "jobs/list": { args: { limit?: number }; result: JobInfo[] };
  /** Ask a running job to stop at its next safe point; work already committed stays. */
  "jobs/cancel": { args: { jobId: string }; result: { cancelled: boolean } };
  /** Imported files with their counts, newest first. */
  "sources/files": {
    args: { limit?: number };
    result: {
      id: number;
      fileName: string;
      format: string | null;
      system: string | null;
      receivedAt: string;
      records: number;
      loaded: number;
      quarantined: number;
      duplicates: number;
      sha256: string;
    }[];
  };
  /** Each connector's received, loaded, quarantined and duplicate counts and its last activity. */
  "sources/connectors": { args: Record<string, never>; result: ConnectorStatus[] };
  /**
   * Parse a quarantined record again, optionally with corrected text, and load it if it
   * is now good. The original stays in the archive, marked replayed.
   */
  "sources/replay": {
    args: { rawRecordId: number; text?: string };
    result: { rawRecordId: number; status: "loaded" | "ignored" | "quarantined"; issues: ParseIssue[] };
  };
  /** Save a dropped file's bytes next to the database so it can be previewed and imported. */
  "import/upload": { args: { fileName: string; contentBase64: string }; result: { path: string } };
  /** Detect a file's format and show what an import would see, before importing. */
  "import/preview": { args: { path: string; sheet?: string }; result: ImportPreview };
  /** The canonical fields of a record type, with the header suggestions for a layout. */
  "import/fields": {
    args: { recordType: CanonicalType; headers?: string[] };
    result: { fields: CanonicalFieldInfo[]; suggested: MappingProfile["fields"] };
  };
  /** Save a column-mapping profile: later files with the same header row import without asking. */
  "import/saveProfile": { args: { profile: MappingProfile }; result: { id: string } };
  /** Saved column-mapping profiles. */
  "import/profiles": { args: Record<string, never>; result: MappingProfile[] };
  /** Records that failed to parse or map, with their reasons. */
  "sources/quarantine": { args: { limit?: number; offset?: number }; result: { items: QuarantineItem[]; total: number } };
}

/**
 * Every method. Each capability declares its methods in its own file under `api/` and
 * they are combined here, so the contract stays one type with one list of names.
 */
export interface Handlers extends CoreHandlers, ReconHandlers, OutboundHandlers, AuditHandlers {}

export type Method = keyof Handlers;
export type ArgsOf<M extends Method> = Handlers[M]["args"];
export type ResultOf<M extends Method> = Handlers[M]["result"];

const CORE_METHODS = [
  "auth/users",
  "auth/login",
  "auth/logout",
  "auth/me",
  "auth/createUser",
  "app/info",
  "store/summary",
  "dashboard/summary",
  "rows/page",
  "jobs/start",
  "jobs/list",
  "jobs/cancel",
  "sources/files",
  "sources/connectors",
  "sources/replay",
  "sources/quarantine",
  "import/upload",
  "import/preview",
  "import/fields",
  "import/saveProfile",
  "import/profiles",
] as const satisfies readonly (keyof CoreHandlers)[];

/** The set of method names, for routers that must reject unknown ones at run time. */
export const METHODS = [...CORE_METHODS, ...RECON_METHODS, ...OUTBOUND_METHODS, ...AUDIT_METHODS] as const;

// Compile-time check that METHODS lists every method exactly.
type MissingMethods = Exclude<Method, (typeof METHODS)[number]>;
const _allMethodsListed: MissingMethods extends never ? true : MissingMethods = true;
void _allMethodsListed;

// ---------------------------------------------------------------- events

export interface EngineEvents extends ReconEvents, OutboundEvents, AuditEvents {
  "job/progress": {
    jobId: string;
    kind: JobKind;
    /** Who started it: only they or an administrator may cancel it. */
    requestedBy: string;
    phase: string;
    done: number;
    total: number | null;
    message: string | null;
  };
  "job/finished": JobInfo;
  /** Tables whose contents changed, so open grids can refresh. */
  "store/changed": { tables: string[] };
}

export type EventName = keyof EngineEvents;

/** What a front door gives the renderer: one invoke, one subscribe. */
export interface TieoutBridge {
  /** `session` is the id from `auth/login`; methods that change anything need one. */
  invoke<M extends Method>(method: M, args: ArgsOf<M>, session?: string | null): Promise<ApiResult<ResultOf<M>>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
}
