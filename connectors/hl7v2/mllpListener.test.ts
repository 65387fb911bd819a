import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { startEhrSender } from "../../fixtures/standins/ehrSender";
import { MllpDecoder, frameMessage } from "./mllpFrame";
import {
  buildAck,
  parseAck,
  readMsh,
  startMllpListener,
  type MllpHandlerResult,
  type MllpListener,
  type MllpListenerEvent,
  type MllpMessageMeta,
} from "./mllpListener";

function adt(controlId: string, version = "2.5.1", trigger = "A01"): string {
  return (
    `MSH|^~\\&|EPIC|NORTH_HOSP|TIEOUT|FIN|20260105083000||ADT^${trigger}^ADT_A01|${controlId}|P|${version}\r` +
    `EVN|${trigger}|20260105083000\r` +
    `PID|1||MRN${controlId}^^^NH^MR||DOE^JANE||19800101|F\r`
  );
}

const fieldsOf = (ack: string, segment: string): string[] => (ack.split("\r").find((s) => s.startsWith(segment + "|")) ?? "").split("|");

/** A bare MLLP client for tests: sends frames, collects the ACK frames it receives. */
async function rawClient(port: number, options: { tlsCa?: string } = {}) {
  const socket: net.Socket = await new Promise((resolve, reject) => {
    const s = options.tlsCa
      ? tls.connect({ host: "127.0.0.1", port, ca: options.tlsCa, servername: "localhost" }, () => resolve(s))
      : net.connect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
  });
  const acks: string[] = [];
  const decoder = new MllpDecoder();
  let notify: (() => void) | null = null;
  socket.on("data", (chunk: Buffer) => {
    for (const p of decoder.push(chunk)) acks.push(p.toString("utf8"));
    notify?.();
  });
  return {
    socket,
    acks,
    send: (payload: string | Buffer) => socket.write(typeof payload === "string" ? frameMessage(payload) : payload),
    /** Waits (bounded) until `n` ACKs have arrived. */
    waitForAcks: (n: number, timeoutMs = 5_000) =>
      new Promise<string[]>((resolve, reject) => {
        const check = (): void => {
          if (acks.length >= n) {
            clearTimeout(timer);
            notify = null;
            resolve(acks.slice(0, n));
          }
        };
        const timer = setTimeout(() => reject(new Error(`only ${acks.length} of ${n} ACKs within ${timeoutMs} ms`)), timeoutMs);
        notify = check;
        check();
      }),
    close: () => new Promise<void>((resolve) => (socket.destroyed ? resolve() : (socket.once("close", () => resolve()), socket.destroy()))),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function listen(
  onMessage: (text: string, meta: MllpMessageMeta) => Promise<MllpHandlerResult>,
  extra: Partial<Parameters<typeof startMllpListener>[0]> = {},
): Promise<MllpListener> {
  const listener = await startMllpListener({ host: "127.0.0.1", port: 0, onMessage, ...extra });
  cleanups.push(() => listener.close());
  return listener;
}

describe("readMsh", () => {
  it("reads MSH positionally, MSH-1 being the separator itself", () => {
    const read = readMsh(adt("C1").replace(/\r/g, "\r\n"));
    expect(read).toEqual({
      msh: expect.objectContaining({
        fieldSeparator: "|",
        encodingCharacters: "^~\\&",
        sendingApplication: "EPIC",
        sendingFacility: "NORTH_HOSP",
        receivingApplication: "TIEOUT",
        receivingFacility: "FIN",
        messageCode: "ADT",
        triggerEvent: "A01",
        controlId: "C1",
        processingId: "P",
        version: "2.5.1",
      }),
    });
  });

  it("honours an unusual field separator", () => {
    const read = readMsh("MSH#^~\\&#APP#FAC#R#RF#2026##ORU^R01#X9#T#2.3\r");
    expect("msh" in read && read.msh.controlId).toBe("X9");
  });

  it("says why when MSH cannot be read", () => {
    expect(readMsh("PID|1")).toEqual({ problem: expect.stringContaining("does not start with an MSH") });
    expect(readMsh("MSH|^~\\&|A|B|C|D|2026||ADT^A01||P|2.5")).toEqual({ problem: "MSH-10 message control ID is missing" });
    expect(readMsh("MSH|^|x")).toEqual({ problem: expect.stringContaining("MSH-2") });
  });
});

describe("buildAck / parseAck", () => {
  const msh = (readMsh(adt("C42")) as { msh: NonNullable<MllpMessageMeta["msh"]> }).msh;

  it("swaps sender and receiver, echoes the trigger, version and control id", () => {
    const ack = buildAck(msh, { ackCode: "AA" }, { now: new Date("2026-01-05T08:30:01Z"), controlId: "ACK1" });
    expect(ack.endsWith("\r")).toBe(true);
    expect(fieldsOf(ack, "MSH")).toEqual([
      "MSH",
      "^~\\&",
      "TIEOUT",
      "FIN",
      "EPIC",
      "NORTH_HOSP",
      "20260105083001+0000",
      "",
      "ACK^A01^ACK",
      "ACK1",
      "P",
      "2.5.1",
    ]);
    expect(fieldsOf(ack, "MSA")).toEqual(["MSA", "AA", "C42"]);
    expect(ack).not.toContain("ERR|");
  });

  it("puts ERR-2/3/4/8 on an AE for v2.5+, escaping the user message", () => {
    const ack = buildAck(msh, {
      ackCode: "AE",
      errorSegment: { code: "102", message: "FT1-11: expected a decimal amount, found 12|50", location: { segment: "FT1", field: 11 } },
    });
    const err = fieldsOf(ack, "ERR");
    expect(err[2]).toBe("FT1^1^11");
    expect(err[3]).toBe("102^Data type error^HL70357");
    expect(err[4]).toBe("E");
    expect(err[8]).toBe("FT1-11: expected a decimal amount, found 12\\F\\50");
    expect(parseAck(ack)).toEqual({
      code: "AE",
      controlId: "C42",
      errorCode: "102",
      errorText: "FT1-11: expected a decimal amount, found 12\\F\\50",
    });
  });

  it("uses the pre-2.5 layout (ERR-1 ELD and MSA-3) for older versions", () => {
    const old = (readMsh(adt("C7", "2.3")) as { msh: NonNullable<MllpMessageMeta["msh"]> }).msh;
    const ack = buildAck(old, { ackCode: "AR", errorSegment: { code: "207", message: "store unavailable" } });
    expect(fieldsOf(ack, "MSA")).toEqual(["MSA", "AR", "C7", "store unavailable"]);
    expect(fieldsOf(ack, "ERR")).toEqual(["ERR", "^^^207&Application internal error&HL70357"]);
    expect(parseAck(ack)).toEqual({ code: "AR", controlId: "C7", errorCode: "207", errorText: "store unavailable" });
  });

  it("builds a minimal AR when there is no MSH to answer", () => {
    const ack = buildAck(null, { ackCode: "AR", errorSegment: { code: "100", message: "no MSH" } });
    expect(fieldsOf(ack, "MSH")[8]).toBe("ACK");
    expect(fieldsOf(ack, "MSA")).toEqual(["MSA", "AR", ""]);
    expect(parseAck(ack)?.errorCode).toBe("100");
  });

  it("returns null for text without an MSA", () => {
    expect(parseAck(adt("C1"))).toBeNull();
  });
});

describe("startMllpListener", () => {
  it("acks AA only after the handler's promise resolves", async () => {
    let release!: (r: MllpHandlerResult) => void;
    let called = false;
    const listener = await listen(() => {
      called = true;
      return new Promise<MllpHandlerResult>((resolve) => (release = resolve));
    });
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    client.send(adt("ORDER1"));
    for (let i = 0; i < 100 && !called; i++) await sleep(10);
    expect(called).toBe(true);
    // The handler is "committing": the sender must see nothing yet.
    await sleep(300);
    expect(client.acks).toEqual([]);
    release({ ackCode: "AA" });
    const [ack] = await client.waitForAcks(1);
    expect(parseAck(ack!)).toMatchObject({ code: "AA", controlId: "ORDER1" });
  });

  it("passes the handler the text, raw bytes, MSH and where it came from", async () => {
    const seen: Array<{ text: string; meta: MllpMessageMeta }> = [];
    const listener = await listen(async (text, meta) => {
      seen.push({ text, meta });
      return { ackCode: "AA" };
    });
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    client.send(adt("META1"));
    await client.waitForAcks(1);
    const { text, meta } = seen[0]!;
    expect(text).toBe(adt("META1"));
    expect(meta.raw.toString("utf8")).toBe(adt("META1"));
    expect(meta.msh?.controlId).toBe("META1");
    expect(meta.remoteAddress).toMatch(/127\.0\.0\.1/);
    expect(meta.remotePort).toBe(client.socket.localPort);
    expect(meta.connectionId).toMatch(/^mllp-/);
    expect(Date.parse(meta.receivedAt)).not.toBeNaN();
  });

  it("answers AE with an ERR segment carrying the handler's error", async () => {
    const listener = await listen(async () => ({
      ackCode: "AE",
      errorSegment: { code: "101", message: "PV1-19 visit number is required", location: { segment: "PV1", field: 19 } },
    }));
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    client.send(adt("AE1"));
    const [ack] = await client.waitForAcks(1);
    expect(parseAck(ack!)).toEqual({ code: "AE", controlId: "AE1", errorCode: "101", errorText: "PV1-19 visit number is required" });
    expect(fieldsOf(ack!, "ERR")[2]).toBe("PV1^1^19");
  });

  it("hands a message without a readable MSH to the handler and answers AR", async () => {
    const metas: MllpMessageMeta[] = [];
    const listener = await listen(async (_text, meta) => {
      metas.push(meta);
      return { ackCode: "AA" }; // the engine quarantined it; the transport still cannot AA it
    });
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    client.send("this is not HL7 at all");
    const [ack] = await client.waitForAcks(1);
    expect(metas[0]?.msh).toBeNull();
    expect(metas[0]?.mshProblem).toContain("does not start with an MSH");
    const parsed = parseAck(ack!);
    expect(parsed).toMatchObject({ code: "AR", controlId: "", errorCode: "100" });
    expect(parsed?.errorText).toContain("does not start with an MSH");
  });

  it("answers AR with ERR 207 when the handler throws (the message was not stored)", async () => {
    const events: MllpListenerEvent[] = [];
    const listener = await listen(
      async () => {
        throw new Error("SQLITE_BUSY: database is locked");
      },
      { onEvent: (e) => events.push(e) },
    );
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    client.send(adt("THROW1"));
    const [ack] = await client.waitForAcks(1);
    const parsed = parseAck(ack!);
    expect(parsed).toMatchObject({ code: "AR", controlId: "THROW1", errorCode: "207" });
    expect(parsed?.errorText).toContain("SQLITE_BUSY");
    expect(events).toContainEqual(expect.objectContaining({ type: "handler-error", controlId: "THROW1" }));
  });

  it("handles messages on one connection one at a time, in order", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const order: string[] = [];
    const listener = await listen(async (_text, meta) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      order.push(meta.msh!.controlId);
      // Later messages finish faster: a concurrent listener would ACK them out of order.
      await sleep(meta.msh!.controlId === "P1" ? 120 : meta.msh!.controlId === "P2" ? 60 : 5);
      inFlight--;
      return { ackCode: "AA" };
    });
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    // A pipelining sender: all three frames in one write.
    client.send(Buffer.concat([frameMessage(adt("P1")), frameMessage(adt("P2")), frameMessage(adt("P3"))]));
    const acks = await client.waitForAcks(3);
    expect(maxInFlight).toBe(1);
    expect(order).toEqual(["P1", "P2", "P3"]);
    expect(acks.map((a) => parseAck(a)?.controlId)).toEqual(["P1", "P2", "P3"]);
  });

  it("serves several senders at once, handling their messages concurrently", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const received = new Set<string>();
    const events: MllpListenerEvent[] = [];
    const listener = await listen(
      async (_text, meta) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(2);
        received.add(meta.msh!.controlId);
        inFlight--;
        return { ackCode: "AA" };
      },
      { onEvent: (e) => events.push(e) },
    );
    const senders = Array.from({ length: 5 }, (_, s) =>
      startEhrSender({
        host: "127.0.0.1",
        port: listener.port,
        messages: Array.from({ length: 40 }, (_, i) => adt(`S${s}-${i}`)),
        ackTimeoutMs: 5_000,
      }),
    );
    cleanups.push(async () => void (await Promise.all(senders.map((s) => s.stop()))));
    const results = await Promise.all(senders.map((s) => s.done));
    for (const stats of results) expect(stats).toMatchObject({ sent: 40, accepted: 40, failed: 0, resent: 0 });
    expect(received.size).toBe(200);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(events.filter((e) => e.type === "connection")).toHaveLength(5);
    for (let i = 0; i < 100 && events.filter((e) => e.type === "disconnection").length < 5; i++) await sleep(10);
    expect(events.filter((e) => e.type === "disconnection")).toHaveLength(5);
    expect(listener.connections()).toBe(0);
  });

  it("finishes the handler when the sender vanishes mid-commit, and says the ACK was not delivered", async () => {
    const events: MllpListenerEvent[] = [];
    let release!: (r: MllpHandlerResult) => void;
    const listener = await listen(() => new Promise<MllpHandlerResult>((resolve) => (release = resolve)), {
      onEvent: (e) => events.push(e),
    });
    const client = await rawClient(listener.port);
    client.send(adt("GONE1"));
    for (let i = 0; i < 100 && !release; i++) await sleep(10);
    // A crashed sender's connection is reset (a clean FIN would read as a half-close, still owed its ACK).
    client.socket.resetAndDestroy();
    for (let i = 0; i < 100 && listener.connections() > 0; i++) await sleep(10);
    expect(listener.connections()).toBe(0);
    release({ ackCode: "AA" });
    for (let i = 0; i < 100 && !events.some((e) => e.type === "ack"); i++) await sleep(10);
    expect(events).toContainEqual(expect.objectContaining({ type: "ack", controlId: "GONE1", delivered: false }));
  });

  it("stops reading from a pipelining sender while its queue is full, and answers everything in order", async () => {
    const listener = await listen(async () => ({ ackCode: "AA" }), { maxQueuedPerConnection: 4 });
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    const ids = Array.from({ length: 200 }, (_, i) => `Q${i}`);
    client.send(Buffer.concat(ids.map((id) => frameMessage(adt(id)))));
    const acks = await client.waitForAcks(200);
    expect(acks.map((a) => parseAck(a)?.controlId)).toEqual(ids);
  });

  it("still answers a sender that half-closes its side after sending", async () => {
    const listener = await listen(async () => {
      await sleep(50);
      return { ackCode: "AA" };
    });
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    client.send(adt("HALF1"));
    client.socket.end();
    const [ack] = await client.waitForAcks(1);
    expect(parseAck(ack!)?.controlId).toBe("HALF1");
  });

  it("reports garbage between frames and goes on", async () => {
    const events: MllpListenerEvent[] = [];
    const listener = await listen(async () => ({ ackCode: "AA" }), { onEvent: (e) => events.push(e) });
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    client.send(Buffer.concat([Buffer.from("GET / HTTP/1.1\r\n\r\n"), frameMessage(adt("G1"))]));
    const [ack] = await client.waitForAcks(1);
    expect(parseAck(ack!)?.controlId).toBe("G1");
    expect(events).toContainEqual(expect.objectContaining({ type: "discarded", reason: "outside-frame" }));
  });

  it("close() waits for the handler in flight, sends its ACK, then closes", async () => {
    let release!: (r: MllpHandlerResult) => void;
    let called = false;
    const listener = await startMllpListener({
      host: "127.0.0.1",
      port: 0,
      onMessage: () => {
        called = true;
        return new Promise((resolve) => (release = resolve));
      },
    });
    const client = await rawClient(listener.port);
    cleanups.push(client.close);
    client.send(adt("CLOSE1"));
    for (let i = 0; i < 100 && !called; i++) await sleep(10);
    let closed = false;
    const closing = listener.close().then(() => (closed = true));
    await sleep(100);
    expect(closed).toBe(false);
    release({ ackCode: "AA" });
    await closing;
    expect(client.acks.map((a) => parseAck(a)?.controlId)).toEqual(["CLOSE1"]);
    expect(listener.connections()).toBe(0);
    // The port is released.
    await expect(rawClient(listener.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("rejects a second listener on a port in use", async () => {
    const first = await listen(async () => ({ ackCode: "AA" }));
    await expect(startMllpListener({ host: "127.0.0.1", port: first.port, onMessage: async () => ({ ackCode: "AA" }) })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});

describe("startMllpListener over TLS", () => {
  const hasOpenssl = (() => {
    try {
      execFileSync("openssl", ["version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  if (!hasOpenssl) console.warn("openssl not found: skipping the MLLP-over-TLS tests");

  it.skipIf(!hasOpenssl)("accepts TLS senders that trust its certificate and refuses plain ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tieout-tls-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const base = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1"];
    const out = ["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")];
    try {
      execFileSync("openssl", [...base, ...out, "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
    } catch {
      // OpenSSL before 1.1.1 has no -addext; node then checks the name against the CN.
      execFileSync("openssl", [...base, ...out], { stdio: "ignore" });
    }
    const key = readFileSync(join(dir, "key.pem"));
    const cert = readFileSync(join(dir, "cert.pem"), "utf8");
    const metas: MllpMessageMeta[] = [];
    const events: MllpListenerEvent[] = [];
    const listener = await listen(
      async (_t, meta) => {
        metas.push(meta);
        return { ackCode: "AA" };
      },
      { tls: { key, cert }, onEvent: (e) => events.push(e) },
    );

    const client = await rawClient(listener.port, { tlsCa: cert });
    cleanups.push(client.close);
    client.send(adt("TLS1"));
    const [ack] = await client.waitForAcks(1);
    expect(parseAck(ack!)).toMatchObject({ code: "AA", controlId: "TLS1" });
    expect(metas[0]?.tls).toBe(true);

    const sender = startEhrSender({
      host: "127.0.0.1",
      port: listener.port,
      messages: [adt("TLS2"), adt("TLS3")],
      tls: { ca: cert, servername: "localhost" },
    });
    cleanups.push(async () => void (await sender.stop()));
    expect(await sender.done).toMatchObject({ accepted: 2, failed: 0 });

    // A plain-TCP sender's bytes are not a TLS handshake: nothing reaches the handler.
    const plain = await rawClient(listener.port);
    cleanups.push(plain.close);
    plain.send(adt("PLAIN1"));
    for (let i = 0; i < 100 && !events.some((e) => e.type === "error" && /TLS/.test(e.message)); i++) await sleep(10);
    expect(events).toContainEqual(expect.objectContaining({ type: "error", message: expect.stringContaining("TLS handshake failed") }));
    expect(metas.map((m) => m.msh?.controlId)).toEqual(["TLS1", "TLS2", "TLS3"]);
  });
});
