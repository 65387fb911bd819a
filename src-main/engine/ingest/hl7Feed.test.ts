import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { frameMessage, MllpDecoder } from "../../../connectors/hl7v2/mllpFrame";
import { parseAck } from "../../../connectors/hl7v2/mllpListener";
import { startEhrSender } from "../../../fixtures/standins/ehrSender";
import { openStore, type Store } from "../store/store";
import { startHl7Feed } from "./hl7Feed";

let dir: string;
let store: Store;
let feed: Awaited<ReturnType<typeof startHl7Feed>>;

const dft = (controlId: string, txn: string, amount = "12.50") =>
  `MSH|^~\\&|EHR|H1|TIEOUT|H1|20261001120000||DFT^P03|${controlId}|P|2.5.1\rPID|1||M1||DOE^J||19800101|F||||||||||A1\rPV1|1|O|ED^^^H1||||||||||||||||V1\rFT1|1|${txn}||20261001|20261002|CG|300100^CBC|||1|${amount}||LAB`;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-feed-"));
  store = await openStore(join(dir, "t.db"));
  feed = await startHl7Feed(store, null, { port: 0 });
});
afterEach(async () => {
  await feed.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends one framed message on a fresh connection and returns the ACK's text. */
function sendOnce(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(feed.port, "127.0.0.1", () => socket.write(frameMessage(text)));
    const decoder = new MllpDecoder();
    socket.on("data", (chunk) => {
      for (const frame of decoder.push(chunk)) {
        resolve(frame.toString("utf8"));
        socket.end();
      }
    });
    socket.on("error", reject);
  });
}

const count = (sql: string) => (store.sqlite.prepare(sql).get() as { n: number }).n;

describe("HL7 v2 live feed", () => {
  it("acknowledges AA only once the message and its records are committed", async () => {
    const ack = parseAck(await sendOnce(dft("MSG1", "T1")));
    expect(ack).toMatchObject({ code: "AA", controlId: "MSG1" });
    // By the time the ACK arrived, a separate connection already sees the committed rows.
    const reader = await openStore(store.path, { readonly: true });
    expect((reader.sqlite.prepare("SELECT status FROM raw_record WHERE control_id LIKE '%MSG1%'").get() as { status: string }).status).toBe(
      "loaded",
    );
    expect(reader.sqlite.prepare("SELECT amount_cents FROM charge WHERE transaction_id = 'T1'").get()).toEqual({ amount_cents: 1250 });
    await reader.close();
  });

  it("acknowledges a re-sent control id AA without loading it twice", async () => {
    await sendOnce(dft("MSG2", "T2"));
    const again = parseAck(await sendOnce(dft("MSG2", "T2")));
    expect(again?.code).toBe("AA");
    expect(count("SELECT COUNT(*) AS n FROM charge WHERE transaction_id = 'T2'")).toBe(1);
    expect(count("SELECT COUNT(*) AS n FROM raw_record")).toBe(1);
    expect(store.sqlite.prepare("SELECT duplicates FROM connector_activity").get()).toEqual({ duplicates: 1 });
  });

  it("answers AE with an ERR naming the field for a message it stored but could not map", async () => {
    const text = await sendOnce(dft("MSG3", "T3", "12,50"));
    const ack = parseAck(text);
    expect(ack?.code).toBe("AE");
    expect(text).toMatch(/ERR\|/);
    expect(ack?.errorText).toMatch(/FT1-11/);
    expect(store.sqlite.prepare("SELECT status FROM raw_record").get()).toEqual({ status: "quarantined" });
    expect(count("SELECT COUNT(*) AS n FROM charge")).toBe(0);
  });

  it("answers AR for bytes that are not an HL7 message, and keeps them in quarantine", async () => {
    const ack = parseAck(await sendOnce("THIS IS NOT HL7 AT ALL"));
    expect(ack?.code).toBe("AR");
    const raw = store.sqlite.prepare("SELECT status, content FROM raw_record").get() as { status: string; content: string };
    expect(raw).toEqual({ status: "quarantined", content: "THIS IS NOT HL7 AT ALL" });
  });

  it("takes several senders at once and loads every message exactly once", async () => {
    const senders = [0, 1, 2].map((s) =>
      startEhrSender({
        host: "127.0.0.1",
        port: feed.port,
        messages: Array.from({ length: 40 }, (_, i) => dft(`S${s}-${i}`, `T${s}-${i}`)),
      }),
    );
    const stats = await Promise.all(senders.map((s) => s.done));
    expect(stats.map((s) => s.accepted)).toEqual([40, 40, 40]);
    expect(count("SELECT COUNT(*) AS n FROM charge")).toBe(120);
    expect(count("SELECT COUNT(DISTINCT transaction_id) AS n FROM charge")).toBe(120);
  });
});
