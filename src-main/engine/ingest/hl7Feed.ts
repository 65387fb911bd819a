import type { ParseIssue, RawUnit } from "../../../src-shared/model";
import {
  startMllpListener,
  type AckErrorSegment,
  type MllpHandlerResult,
  type MllpListener,
  type MllpListenerEvent,
  type MllpMessageMeta,
  type MllpTlsOptions,
} from "../../../connectors/hl7v2/mllpListener";
import { parseHl7 } from "../../../connectors/hl7v2/parseHl7";
import type { EngineEventBus } from "../events";
import type { Store } from "../store/store";
import { UnitLoader } from "./loadUnits";

/** HL7 table 0357 codes for what went wrong, from our issue codes. */
function errorSegmentFor(issue: ParseIssue): AckErrorSegment {
  const code = /MISSING|REQUIRED/.test(issue.code)
    ? "101"
    : /SEGMENT-ID|SEQUENCE|NO-MSH/.test(issue.code)
      ? "100"
      : /AMOUNT|DATE|NUMBER|TYPE|DECIMAL/.test(issue.code)
        ? "102"
        : "207";
  return { code, message: issue.message };
}

/** Parse problems that mean "not HL7 we can read at all" (AR), as opposed to "read but not mappable" (AE). */
const UNREADABLE = /^HL7-(NO-MSH|MSH-SEPARATOR|EMPTY|INTERNAL|SEGMENT-ID)/;

export interface FeedOutcome extends MllpHandlerResult {
  status: "loaded" | "ignored" | "quarantined" | "duplicate";
}

function recordActivity(store: Store, connector: string, at: string, duplicate: boolean, error: string | null): void {
  store.sqlite
    .prepare(
      `INSERT INTO connector_activity (connector, duplicates, last_activity_at, last_error) VALUES (?, ?, ?, ?)
       ON CONFLICT (connector) DO UPDATE SET duplicates = duplicates + excluded.duplicates,
         last_activity_at = excluded.last_activity_at, last_error = COALESCE(excluded.last_error, last_error)`,
    )
    .run(connector, duplicate ? 1 : 0, at, error);
}

/**
 * Stores one HL7 message from a live feed and decides its ACK. The message is in the
 * raw archive (committed, synchronous=FULL) before this returns, so the ACK that follows
 * never acknowledges something that could still be lost. A message whose MSH-10 was
 * seen before is acknowledged AA and not loaded again.
 */
export function ingestHl7Message(
  store: Store,
  connector: string,
  text: string,
  meta: Pick<MllpMessageMeta, "receivedAt" | "remoteAddress" | "remotePort" | "mshProblem">,
): FeedOutcome {
  const source = `MLLP ${meta.remoteAddress}:${meta.remotePort}`;
  const parsed = parseHl7(text, { fileName: source });
  const unit: RawUnit = parsed.units[0] ?? {
    kind: "hl7v2-message",
    controlId: null,
    text,
    line: 1,
    records: [],
    issues:
      parsed.issues.length > 0
        ? parsed.issues
        : [{ code: "HL7-EMPTY", severity: "error", message: `${source}: empty message`, where: { file: source } }],
  };
  if (parsed.units.length > 1) {
    unit.issues.push({
      code: "HL7-MULTIPLE",
      severity: "warning",
      message: `${source}: ${parsed.units.length} messages in one frame; only the first is acknowledged`,
      where: { file: source },
    });
  }
  if (meta.mshProblem && !unit.issues.some((i) => i.severity === "error")) {
    unit.issues.push({
      code: "HL7-NO-MSH",
      severity: "error",
      message: `${source}: ${meta.mshProblem}`,
      where: { file: source, segment: "MSH" },
    });
  }
  const loader = new UnitLoader(store.sqlite);
  const outcome = store.sqlite
    .transaction(() => loader.load(unit, { connector, sourceFileId: null, receivedAt: meta.receivedAt }))
    .immediate();
  const firstError = unit.issues.find((i) => i.severity === "error");
  recordActivity(store, connector, meta.receivedAt, outcome.status === "duplicate", firstError?.message ?? null);
  switch (outcome.status) {
    case "duplicate":
      return { status: "duplicate", ackCode: "AA", text: "duplicate of a message already stored; not loaded again" };
    case "loaded":
    case "ignored":
      return { status: outcome.status, ackCode: "AA" };
    default: {
      const issue = firstError!;
      return UNREADABLE.test(issue.code)
        ? { status: "quarantined", ackCode: "AR", text: issue.message, errorSegment: errorSegmentFor(issue) }
        : { status: "quarantined", ackCode: "AE", text: issue.message, errorSegment: errorSegmentFor(issue) };
    }
  }
}

export interface Hl7FeedOptions {
  host?: string;
  port: number;
  tls?: MllpTlsOptions;
  onEvent?: (event: MllpListenerEvent) => void;
}

/** The HL7 v2 live feed: an MLLP listener whose messages go straight into the store. */
export async function startHl7Feed(
  store: Store,
  events: EngineEventBus | null,
  options: Hl7FeedOptions,
): Promise<MllpListener & { connector: string }> {
  let connector = `mllp:${options.port}`;
  const listener = await startMllpListener({
    host: options.host ?? "127.0.0.1",
    port: options.port,
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    onMessage: async (text, meta) => {
      const outcome = ingestHl7Message(store, connector, text, meta);
      if (outcome.status !== "duplicate") events?.emit("store/changed", { tables: ["*"] });
      return outcome;
    },
  });
  connector = `mllp:${listener.port}`;
  return Object.assign(listener, { connector });
}
