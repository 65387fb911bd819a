/**
 * Our MLLP listener: accepts HL7 v2 messages from several senders at once, hands each one
 * to the engine, and acknowledges it only after the engine says it is durably stored.
 *
 * Why our own and not node-hl7-server: the ACK is the sender's signal that it may forget
 * the message, so we must control exactly when it goes out (DESIGN.md "An HL7 message is
 * acknowledged only after it is durably stored"; STANDARDS.md Implications "ACK after
 * SQLite commit"). Here the ACK is written only when the handler's promise resolves, and
 * messages on one connection are handled strictly one after another, because HL7 original
 * mode assumes the sender waits for each ACK (v2.5.1 §2.9.2) and a sender that pipelines
 * still expects its ACKs in order.
 *
 * The transport reads only MSH (to build the ACK); parsing is the engine's business. A
 * message whose MSH cannot be read is still handed to the handler, so it is kept in
 * quarantine, and is answered AR (issue 4: "AR for one it could not parse at all").
 */

import * as net from "node:net";
import * as tls from "node:tls";
import { decodeText } from "../decode";
import { MLLP_START, MllpDecoder, frameMessage, type MllpDiscard } from "./mllpFrame";

// ---------------------------------------------------------------- ACK types

/** Original-mode acknowledgment codes (HL7 table 0008). */
export type AckCode = "AA" | "AE" | "AR";

/**
 * HL7 table 0357, message error condition codes, as listed in v2.5.1 (ERR-3) [mem: checked
 * against secondary sources, not the normative table].
 */
export const HL7_ERROR_CODES = {
  "0": "Message accepted",
  "100": "Segment sequence error",
  "101": "Required field missing",
  "102": "Data type error",
  "103": "Table value not found",
  "200": "Unsupported message type",
  "201": "Unsupported event code",
  "202": "Unsupported processing id",
  "203": "Unsupported version id",
  "204": "Unknown key identifier",
  "205": "Duplicate key identifier",
  "206": "Application record locked",
  "207": "Application internal error",
} as const;

export type Hl7ErrorCode = keyof typeof HL7_ERROR_CODES;

/** What goes into the ERR segment of an AE or AR. */
export interface AckErrorSegment {
  /** ERR-3 (v2.5+) / ERR-1.4 (before v2.5): a table 0357 code. */
  // `string & {}` keeps editor completion for the known codes while allowing site-specific ones.
  code: Hl7ErrorCode | (string & {});
  /** ERR-8 user message (v2.5+) / MSA-3 (before v2.5). Should read well on its own. */
  message?: string;
  /** ERR-4 severity (table 0516): E error, W warning, I information. Default E. */
  severity?: "E" | "W" | "I";
  /** ERR-2 error location (ERL): segment id, its 1-based sequence, field, component. */
  location?: { segment: string; sequence?: number; field?: number; component?: number };
}

/** The engine's answer for one message. */
export interface MllpHandlerResult {
  ackCode: AckCode;
  /** Short text for the sender; goes into ERR-8 (or MSA-3 for versions before 2.5). */
  text?: string;
  /** Required in spirit for AE/AR: when missing, ERR-3 207 with `text` is sent. */
  errorSegment?: AckErrorSegment;
}

/** The MSH fields the transport needs. Values are raw field text (not unescaped). */
export interface MshHeader {
  fieldSeparator: string;
  /** MSH-2: component, repetition, escape, subcomponent (and v2.7 truncation) characters. */
  encodingCharacters: string;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** MSH-9 as written, e.g. "ADT^A01^ADT_A01". */
  messageType: string;
  /** MSH-9.1, e.g. "ADT". */
  messageCode: string;
  /** MSH-9.2, e.g. "A01". */
  triggerEvent: string;
  /** MSH-10. */
  controlId: string;
  /** MSH-11 (first component), e.g. "P". */
  processingId: string;
  /** MSH-12 (first component), e.g. "2.5.1". */
  version: string;
}

export interface MllpMessageMeta {
  remoteAddress: string;
  remotePort: number;
  /** ISO-8601 UTC instant when the last byte of the frame arrived. */
  receivedAt: string;
  connectionId: string;
  /** Exact payload bytes between the framing bytes: archive these, they are the original. */
  raw: Buffer;
  /** How the bytes were decoded to `text` (see connectors/decode.ts). */
  encoding: string;
  /** MSH as read by the transport, or null when it could not be read (the ACK will be AR). */
  msh: MshHeader | null;
  /** Why MSH could not be read, when `msh` is null. */
  mshProblem: string | null;
  tls: boolean;
}

export type MllpMessageHandler = (text: string, meta: MllpMessageMeta) => Promise<MllpHandlerResult>;

export type MllpListenerEvent =
  | { type: "listening"; host: string; port: number; tls: boolean }
  | { type: "connection"; connectionId: string; remoteAddress: string; remotePort: number; at: string }
  | { type: "disconnection"; connectionId: string; remoteAddress: string; remotePort: number; messages: number; at: string }
  | {
      type: "ack";
      connectionId: string;
      controlId: string;
      ackCode: AckCode;
      handlerMs: number;
      /** false when the connection was gone before the ACK could be written (true means written to an open socket, not read). */ delivered: boolean;
    }
  | { type: "handler-error"; connectionId: string; controlId: string; message: string }
  | { type: "discarded"; connectionId: string; reason: MllpDiscard["reason"]; bytes: number }
  | { type: "error"; connectionId: string | null; message: string }
  | { type: "closed" };

export interface MllpTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** Trusted CAs for client certificates (mutual TLS). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Ask senders for a certificate and refuse those without a trusted one. */
  requestCert?: boolean;
}

export interface MllpListenerOptions {
  /** Default 127.0.0.1: a feed is opened to other hosts only when asked. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  tls?: MllpTlsOptions;
  onMessage: MllpMessageHandler;
  onEvent?: (event: MllpListenerEvent) => void;
  /** Frames bigger than this are dropped and reported. Default 64 MiB. */
  maxMessageBytes?: number;
  /**
   * Frames buffered on one connection while one is being handled before we stop reading
   * from the socket (TCP backpressure). Default 64.
   */
  maxQueuedPerConnection?: number;
}

export interface MllpListener {
  host: string;
  port: number;
  /** Stops accepting, lets in-flight handlers finish and sends their ACKs, then closes every connection. */
  close(): Promise<void>;
  /** Open connections right now. */
  connections(): number;
}

// ---------------------------------------------------------------- reading MSH

const DEFAULT_ENCODING = "^~\\&";

/** CRLF and LF become CR, the HL7 segment terminator. */
function normalise(text: string): string {
  return text.replace(/\r\n|\n/g, "\r");
}

function firstComponent(field: string, componentSeparator: string): string {
  const at = field.indexOf(componentSeparator);
  return at === -1 ? field : field.slice(0, at);
}

/**
 * Reads MSH positionally: MSH-1 is the separator character itself (so `split` puts MSH-2
 * at index 1 and MSH-n at index n-1). Returns a reason instead when it cannot.
 */
export function readMsh(text: string): { msh: MshHeader } | { problem: string } {
  const body = normalise(text).replace(/^[\s\uFEFF]+/, "");
  if (!body.startsWith("MSH")) {
    const found = JSON.stringify(body.slice(0, 12));
    return { problem: `message does not start with an MSH segment (found ${found})` };
  }
  const segmentEnd = body.indexOf("\r");
  const segment = segmentEnd === -1 ? body : body.slice(0, segmentEnd);
  const fieldSeparator = segment[3];
  if (fieldSeparator === undefined || /[A-Za-z0-9\s]/.test(fieldSeparator)) {
    return { problem: "MSH-1 field separator is missing or is a letter, digit or blank" };
  }
  const fields = segment.split(fieldSeparator);
  const encodingCharacters = fields[1] ?? "";
  if (encodingCharacters.length < 4) {
    return { problem: `MSH-2 encoding characters: expected 4 characters, found ${JSON.stringify(encodingCharacters)}` };
  }
  const componentSeparator = encodingCharacters[0]!;
  const field = (n: number): string => fields[n - 1] ?? "";
  const controlId = field(10);
  if (controlId.trim() === "") return { problem: "MSH-10 message control ID is missing" };
  const messageType = field(9);
  const typeParts = messageType.split(componentSeparator);
  return {
    msh: {
      fieldSeparator,
      encodingCharacters,
      sendingApplication: field(3),
      sendingFacility: field(4),
      receivingApplication: field(5),
      receivingFacility: field(6),
      messageType,
      messageCode: typeParts[0] ?? "",
      triggerEvent: typeParts[1] ?? "",
      controlId,
      processingId: firstComponent(field(11), componentSeparator),
      version: firstComponent(field(12), componentSeparator),
    },
  };
}

// ---------------------------------------------------------------- building the ACK

/** Compares HL7 version strings numerically: "2.5.1" ≥ "2.5", "2.10" > "2.9". */
function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map((p) => Number.parseInt(p, 10));
  const b = minimum.split(".").map((p) => Number.parseInt(p, 10));
  if (a.some((n) => Number.isNaN(n))) return true; // unknown: assume current rules
  for (let i = 0; i < b.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** Escapes text for a field (v2.5.1 §2.7.4: \F\ \S\ \R\ \E\ \T\); line breaks become spaces. */
function escapeField(text: string, fieldSeparator: string, encodingCharacters: string): string {
  const [component = "^", repetition = "~", escape = "\\", subcomponent = "&"] = encodingCharacters;
  let out = "";
  for (const ch of text.replace(/[\r\n]+/g, " ")) {
    if (ch === escape) out += `${escape}E${escape}`;
    else if (ch === fieldSeparator) out += `${escape}F${escape}`;
    else if (ch === component) out += `${escape}S${escape}`;
    else if (ch === repetition) out += `${escape}R${escape}`;
    else if (ch === subcomponent) out += `${escape}T${escape}`;
    else out += ch;
  }
  return out;
}

/** HL7 DTM in UTC: YYYYMMDDHHMMSS+0000. */
function hl7Timestamp(at: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  return (
    `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}` +
    `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}+0000`
  );
}

let ackSequence = 0;

/**
 * A new MSH-10 for an ACK: unique in this process and across restarts (time based), and
 * within v2.5's 20-character limit for ST control ids.
 */
export function newAckControlId(now: Date = new Date()): string {
  ackSequence = (ackSequence + 1) % 36 ** 4;
  return `A${now.getTime().toString(36).toUpperCase()}${ackSequence.toString(36).toUpperCase().padStart(4, "0")}`;
}

export interface BuildAckOptions {
  now?: Date;
  controlId?: string;
  /** Used only when the inbound MSH is unreadable: our application name for MSH-3. */
  ourApplication?: string;
}

/**
 * Builds the ACK for an inbound message (v2.5.1 §2.9.2 original acknowledgment mode):
 * MSH with sending and receiving application/facility swapped, MSH-9 `ACK^<trigger>^ACK`,
 * a new MSH-10, MSH-11 and MSH-12 echoed; MSA-1 the code, MSA-2 the inbound MSH-10; an ERR
 * for AE and AR. Versions before 2.5 get their ERR-1 (ELD) layout and MSA-3 text, because
 * ERR-2..8 only exist from 2.5 on. Segments end with CR.
 */
export function buildAck(msh: MshHeader | null, result: MllpHandlerResult, options: BuildAckOptions = {}): string {
  const now = options.now ?? new Date();
  const fs = msh?.fieldSeparator ?? "|";
  const enc = msh?.encodingCharacters ?? DEFAULT_ENCODING;
  const cs = enc[0] ?? "^";
  const sub = enc[3] ?? "&";
  const version = msh?.version || "2.5.1";
  const controlId = options.controlId ?? newAckControlId(now);
  const esc = (text: string): string => escapeField(text, fs, enc);

  const code: AckCode = result.ackCode;
  const mshFields = [
    "MSH",
    enc,
    msh ? msh.receivingApplication : esc(options.ourApplication ?? "TIEOUT"),
    msh ? msh.receivingFacility : "",
    msh ? msh.sendingApplication : "",
    msh ? msh.sendingFacility : "",
    hl7Timestamp(now),
    "",
    msh && msh.triggerEvent ? `ACK${cs}${msh.triggerEvent}${cs}ACK` : "ACK",
    controlId,
    msh?.processingId || "P",
    version,
  ];
  const modern = versionAtLeast(version, "2.5");
  const error: AckErrorSegment | null =
    code === "AA" ? null : (result.errorSegment ?? { code: "207", message: result.text ?? "application internal error" });
  const userText = error?.message ?? result.text ?? "";

  const msaFields = ["MSA", code, msh ? msh.controlId : ""];
  // MSA-3 is deprecated from 2.5 (ERR-8 replaces it) but is where older senders look.
  if (!modern && userText) msaFields.push(esc(userText));

  const segments = [mshFields.join(fs), msaFields.join(fs)];
  if (error) {
    const name = (HL7_ERROR_CODES as Record<string, string>)[error.code] ?? "";
    const codeCwe = [error.code, name, "HL70357"].join(modern ? cs : sub);
    const loc = error.location;
    if (modern) {
      const erlParts = loc ? [loc.segment, String(loc.sequence ?? 1), String(loc.field ?? ""), String(loc.component ?? "")] : [];
      while (erlParts.length > 0 && erlParts[erlParts.length - 1] === "") erlParts.pop();
      const erl = erlParts.join(cs);
      // ERR-1 (withdrawn ELD) empty; ERR-2 location; ERR-3 code; ERR-4 severity; ERR-5..7 empty; ERR-8 user message.
      segments.push(["ERR", "", erl, codeCwe, error.severity ?? "E", "", "", "", esc(userText)].join(fs));
    } else {
      // ERR-1 ELD: segment ID ^ sequence ^ field position ^ code identifying error (CE, subcomponents).
      const eld = [loc?.segment ?? "", loc?.sequence ?? "", loc?.field ?? "", codeCwe].join(cs);
      segments.push(["ERR", eld].join(fs));
    }
  }
  return segments.map((segment) => segment + "\r").join("");
}

// ---------------------------------------------------------------- reading an ACK

const MLLP_START_CHAR = String.fromCharCode(MLLP_START);

export interface AckInfo {
  /** MSA-1: AA, AE, AR (or CA, CE, CR in enhanced mode). */
  code: string;
  /** MSA-2: the control id of the message being acknowledged. */
  controlId: string;
  /** ERR-8, else MSA-3, else the code's name (ERR-3.2 / ERR-1.4.2); null when the ACK gives no reason. */
  errorText: string | null;
  /** ERR-3.1 (v2.5+) or ERR-1.4.1 (earlier); null when absent. */
  errorCode: string | null;
}

/** Reads MSA (and ERR) from an ACK. Returns null when the text has no MSA segment. */
export function parseAck(text: string): AckInfo | null {
  // A VT left over from framing is not part of the first segment.
  const segments = normalise(text.replaceAll(MLLP_START_CHAR, ""))
    .split("\r")
    .map((s) => s.replace(/^[\s\uFEFF]+/, ""))
    .filter((s) => s.length > 0);
  const msh = segments.find((s) => s.startsWith("MSH"));
  const fs = msh?.[3] ?? "|";
  const enc = (msh ? msh.split(fs)[1] : undefined) ?? DEFAULT_ENCODING;
  const cs = enc[0] ?? "^";
  const sub = enc[3] ?? "&";
  const msa = segments.find((s) => s.startsWith(`MSA${fs}`));
  if (!msa) return null;
  const msaFields = msa.split(fs);
  const err = segments.find((s) => s.startsWith(`ERR${fs}`));
  let errorText: string | null = null;
  let errorCode: string | null = null;
  if (err) {
    const f = err.split(fs);
    const err3 = (f[3] ?? "").split(cs);
    const eld4 = ((f[1] ?? "").split(cs)[3] ?? "").split(sub);
    errorCode = err3[0] || eld4[0] || null;
    // The sender's own words first (ERR-8, or MSA-3 before v2.5), the code's name last.
    errorText = f[8] || msaFields[3] || err3[1] || eld4[1] || null;
  } else {
    errorText = msaFields[3] || null;
  }
  return { code: msaFields[1] ?? "", controlId: msaFields[2] ?? "", errorText, errorCode };
}

// ---------------------------------------------------------------- the listener

interface Connection {
  id: string;
  socket: net.Socket;
  remoteAddress: string;
  remotePort: number;
  decoder: MllpDecoder;
  queue: Array<{ raw: Buffer; receivedAt: string }>;
  /** The handler call in progress, if any; close() waits for it. */
  inFlight: Promise<void> | null;
  handled: number;
  paused: boolean;
  closed: boolean;
  /** The sender half-closed: answer what it sent, then close our side. */
  peerEnded: boolean;
}

let connectionSequence = 0;

export async function startMllpListener(options: MllpListenerOptions): Promise<MllpListener> {
  const host = options.host ?? "127.0.0.1";
  const maxQueued = options.maxQueuedPerConnection ?? 64;
  const emit = (event: MllpListenerEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // An observer's bug must not break the feed.
    }
  };
  const open = new Map<string, Connection>();
  let closing = false;

  const handleOne = async (conn: Connection, raw: Buffer, receivedAt: string): Promise<void> => {
    const decoded = decodeText(raw);
    const read = readMsh(decoded.text);
    const msh = "msh" in read ? read.msh : null;
    const meta: MllpMessageMeta = {
      remoteAddress: conn.remoteAddress,
      remotePort: conn.remotePort,
      receivedAt,
      connectionId: conn.id,
      raw,
      encoding: decoded.encoding,
      msh,
      mshProblem: "problem" in read ? read.problem : null,
      tls: options.tls !== undefined,
    };
    const started = performance.now();
    let result: MllpHandlerResult;
    try {
      result = await options.onMessage(decoded.text, meta);
    } catch (error) {
      // The handler failed, so the message may not be stored: answer AR, which tells the
      // sender to resend it unchanged later (table 0008; STANDARDS.md B1), rather than
      // silence that would only cost the sender a timeout.
      const reason = error instanceof Error ? error.message : String(error);
      emit({ type: "handler-error", connectionId: conn.id, controlId: msh?.controlId ?? "", message: reason });
      result = { ackCode: "AR", errorSegment: { code: "207", message: `message not stored, resend later: ${reason}` } };
    }
    if (!msh && result.ackCode !== "AR") {
      // Without a readable MSH we cannot echo MSA-2, so the sender cannot tie an AA to its
      // message; AR is the only honest answer (issue 4).
      result = {
        ackCode: "AR",
        errorSegment: result.errorSegment ?? { code: "100", message: meta.mshProblem ?? "MSH segment could not be read" },
      };
    } else if (!msh && !result.errorSegment) {
      result = { ...result, errorSegment: { code: "100", message: result.text ?? meta.mshProblem ?? "MSH segment could not be read" } };
    }
    const ack = buildAck(msh, result);
    // The sender may have gone while the engine committed; it will resend, and the engine
    // recognises the duplicate by MSH-10.
    const delivered = !conn.closed && !conn.socket.destroyed;
    if (delivered) conn.socket.write(frameMessage(ack));
    emit({
      type: "ack",
      connectionId: conn.id,
      controlId: msh?.controlId ?? "",
      ackCode: result.ackCode,
      handlerMs: Math.round(performance.now() - started),
      delivered,
    });
  };

  const pump = (conn: Connection): void => {
    if (conn.inFlight || conn.closed) return;
    const next = conn.queue.shift();
    if (!next) {
      if (conn.peerEnded) conn.socket.end();
      return;
    }
    if (conn.paused && conn.queue.length < maxQueued / 2) {
      conn.paused = false;
      conn.socket.resume();
    }
    conn.inFlight = handleOne(conn, next.raw, next.receivedAt)
      .catch((error: unknown) => {
        emit({ type: "error", connectionId: conn.id, message: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        conn.handled++;
        conn.inFlight = null;
        // Once closing, frames not yet handed over stay unacknowledged; the sender resends them.
        if (!closing) pump(conn);
      });
  };

  const onSocket = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const id = `mllp-${++connectionSequence}`;
    const conn: Connection = {
      id,
      socket,
      remoteAddress: socket.remoteAddress ?? "",
      remotePort: socket.remotePort ?? 0,
      decoder: new MllpDecoder({
        maxMessageBytes: options.maxMessageBytes,
        onDiscard: (d) => emit({ type: "discarded", connectionId: id, reason: d.reason, bytes: d.bytes }),
      }),
      queue: [],
      inFlight: null,
      handled: 0,
      paused: false,
      closed: false,
      peerEnded: false,
    };
    open.set(id, conn);
    emit({
      type: "connection",
      connectionId: id,
      remoteAddress: conn.remoteAddress,
      remotePort: conn.remotePort,
      at: new Date().toISOString(),
    });

    socket.on("data", (chunk: Buffer) => {
      if (closing) return;
      const payloads = conn.decoder.push(chunk);
      if (payloads.length === 0) return;
      const receivedAt = new Date().toISOString();
      for (const raw of payloads) conn.queue.push({ raw, receivedAt });
      if (conn.queue.length >= maxQueued && !conn.paused) {
        conn.paused = true;
        socket.pause();
      }
      pump(conn);
    });
    socket.on("end", () => {
      conn.peerEnded = true;
      pump(conn);
    });
    socket.on("error", (error) => {
      emit({ type: "error", connectionId: id, message: error.message });
    });
    socket.on("close", () => {
      conn.closed = true;
      conn.decoder.end();
      open.delete(id);
      emit({
        type: "disconnection",
        connectionId: id,
        remoteAddress: conn.remoteAddress,
        remotePort: conn.remotePort,
        messages: conn.handled,
        at: new Date().toISOString(),
      });
    });
  };

  let server: net.Server;
  if (options.tls) {
    server = tls.createServer(
      {
        key: options.tls.key,
        cert: options.tls.cert,
        ca: options.tls.ca,
        requestCert: options.tls.requestCert ?? false,
        rejectUnauthorized: options.tls.requestCert ?? false,
        allowHalfOpen: true,
      },
      onSocket,
    );
    server.on("tlsClientError", (error: Error) =>
      emit({ type: "error", connectionId: null, message: `TLS handshake failed: ${error.message}` }),
    );
  } else {
    // allowHalfOpen: a sender that sends and then shuts its side down still gets its ACKs.
    server = net.createServer({ allowHalfOpen: true }, onSocket);
  }
  server.on("error", (error) => emit({ type: "error", connectionId: null, message: error.message }));

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen(options.port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  emit({ type: "listening", host, port, tls: options.tls !== undefined });

  let closed: Promise<void> | null = null;
  return {
    host,
    port,
    connections: () => open.size,
    close: () => {
      closed ??= (async () => {
        closing = true;
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const conn of open.values()) {
          // Read nothing more: what the handler has not been given gets no ACK and is resent.
          conn.socket.pause();
          conn.queue = [];
        }
        await Promise.all([...open.values()].map((conn) => conn.inFlight ?? Promise.resolve()));
        await Promise.all(
          [...open.values()].map(
            (conn) =>
              new Promise<void>((resolve) => {
                if (conn.socket.destroyed) return resolve();
                conn.socket.once("close", () => resolve());
                // end() flushes the last ACKs; a peer that never closes its side is cut after a grace period.
                conn.socket.end();
                setTimeout(() => conn.socket.destroy(), 2_000).unref();
              }),
          ),
        );
        await serverClosed;
        emit({ type: "closed" });
      })();
      return closed;
    },
  };
}
