/**
 * HL7 v2 parse throughput: our `parseHl7` against node-hl7-client 3.2's `Message`
 * parser, on the same messages in one run (CONVENTIONS: write our own only when it
 * measurably beats the library on our corpus).
 *
 * Input: every message of ../shared/corpus/hl7v2 and fixtures/samples/hl7v2, repeated
 * to about 100k messages. The peer gets each message already split out of its file
 * and normalised to CR terminators with no trailing break (it rejects one), i.e. it is
 * spared the file splitting, batch envelopes and comment lines; each side then reads
 * the same six fields per message (MSH-9.1, MSH-10, PID-3.1, PID-18.1, PV1-19.1, PV1-3.1).
 * Ours does more: it splits files, validates segment ids, checks envelopes and maps
 * records. Messages the peer throws on are counted, not timed twice.
 *
 * Run: npx tsx bench/hl7Parse.bench.ts [targetMessages]
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { Message } from "node-hl7-client";
import { decodeText } from "../connectors/decode";
import { readDelimiters, splitSegment, value } from "../connectors/hl7v2/hl7Message";
import { parseHl7 } from "../connectors/hl7v2/parseHl7";

const target = Number(process.argv[2] ?? 100_000);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = [...walk(resolve(process.cwd(), "../shared/corpus/hl7v2")), ...walk(resolve(process.cwd(), "fixtures/samples/hl7v2"))].map(
  (p) => ({
    name: p.split("/").pop()!,
    text: decodeText(readFileSync(p)).text,
  }),
);

// The messages, as our splitter finds them (units that start with MSH).
const messages = files.flatMap((f) =>
  parseHl7(f.text, { fileName: f.name })
    .units.filter((u) => u.text.startsWith("MSH"))
    .map((u) => u.text),
);
const perRound = messages.length;
const rounds = Math.max(1, Math.ceil(target / perRound));
const peerTexts = messages.map((m) => m.replace(/\r\n|\n/g, "\r").replace(/\r+$/, ""));
// Whole files for our side: the same messages, joined as one big multi-message file per round.
const bigFile = messages.map((m) => (m.endsWith("\r") || m.endsWith("\n") ? m : m + "\r")).join("");

const FIELDS: [string, number, number][] = [
  ["MSH", 9, 1],
  ["MSH", 10, 1],
  ["PID", 3, 1],
  ["PID", 18, 1],
  ["PV1", 19, 1],
  ["PV1", 3, 1],
];

function runPeer(): { ms: number; failed: number; checksum: number } {
  let failed = 0;
  let checksum = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const text of peerTexts) {
      try {
        const msg = new Message({ text });
        for (const [seg, field, comp] of FIELDS) {
          checksum += msg.get(`${seg}.${field}.${comp}`).toString().length;
        }
      } catch {
        failed++;
      }
    }
  }
  return { ms: performance.now() - t0, failed: failed / rounds, checksum };
}

/** Our tokenizer alone, doing exactly what the peer does: one message in, six fields out. */
function runOursTokenizeOnly(): { ms: number; checksum: number } {
  let checksum = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const text of peerTexts) {
      const d = readDelimiters(text).delimiters;
      const segments = text.split("\r").map((line, i) => splitSegment(line, i + 1, d));
      for (const [id, field, comp] of FIELDS) {
        const seg = segments.find((s) => s.id === id);
        checksum += (value(seg, field, d, { comp }) ?? "").length;
      }
    }
  }
  return { ms: performance.now() - t0, checksum };
}

function runOursFull(): { ms: number; units: number; records: number } {
  let units = 0;
  let records = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const result = parseHl7(bigFile, { fileName: "bench.hl7" });
    units += result.units.length;
    for (const u of result.units) records += u.records.length;
  }
  return { ms: performance.now() - t0, units, records };
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString("en-US");

// Warm up both (JIT), then measure.
if (rounds > 1) {
  runPeer();
  runOursTokenizeOnly();
  runOursFull();
}
const peer = runPeer();
const tok = runOursTokenizeOnly();
const full = runOursFull();
const total = perRound * rounds;

console.log(`corpus: ${files.length} files, ${perRound} messages; ${rounds} rounds = ${total} messages`);
console.log(
  `node-hl7-client 3.2 Message + 6 gets : ${peer.ms.toFixed(0)} ms, ${rate(total, peer.ms)} msg/s; throws on ${peer.failed} of ${perRound} messages`,
);
console.log(`ours, tokenize + 6 gets (same work)  : ${tok.ms.toFixed(0)} ms, ${rate(total, tok.ms)} msg/s; throws on 0`);
console.log(
  `ours, parseHl7 on whole file (split, validate, envelopes, map): ${full.ms.toFixed(0)} ms, ${rate(full.units, full.ms)} msg/s, ${full.records} records`,
);
