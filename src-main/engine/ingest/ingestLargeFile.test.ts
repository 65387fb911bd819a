import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateHealthSystem, mappingProfiles } from "../../../fixtures/generator";
import { CANONICAL_TABLES } from "../store/canonicalTables";
import { openStore, type Store } from "../store/store";
import { IngestCancelled, ingestFile, type IngestOptions } from "./ingestFile";
import { lastIsaAfterIea } from "./pieceCutters";

let dir: string;
const files: { csv: string; hl7: string; hl7Bad: string; x12: string } = { csv: "", hl7: "", hl7Bad: "", x12: "" };

/** Small pieces, reads and batches, so a file of a few hundred KB is cut many times. */
const STREAM: IngestOptions = { streamThresholdBytes: 0, pieceChars: 20_000, streamChunkBytes: 4099, batchSize: 37 };
const WHOLE: IngestOptions = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-large-"));
  const out = join(dir, "hs");
  await generateHealthSystem({ outDir: out, encounters: 150, seed: 7, messageStream: false });
  const find = (sub: string, re: RegExp) => {
    const name = readdirSync(join(out, sub))
      .filter((n) => re.test(n))
      .sort()[0]!;
    return join(out, sub, name);
  };
  // CSV: the generator's charge extract plus rows that must be quarantined or read with care:
  // a multi-line quoted field, a bad amount, a short row, blank lines and non-ASCII text
  // (the 4,099-byte reads split multi-byte characters).
  files.csv = join(dir, "charges.csv");
  const csv = readFileSync(find("billing", /^charge_detail.*\.csv$/), "utf8");
  const header = csv.split(/\r?\n/)[0]!;
  const nl = csv.includes("\r\n") ? "\r\n" : "\n";
  const sample = csv.split(nl)[1]!.split(",");
  const row = (edit: (cells: string[]) => void) => {
    const cells = [...sample];
    edit(cells);
    return cells.join(",");
  };
  const extra = [
    "",
    row((c) => (c[c.length - 1] = '"Café ünïcode ' + "é".repeat(3000) + '"')),
    row((c) => (c[c.length - 1] = '"two\nlines"')),
    "",
    row((c) => c.splice(2)),
    row((c) => (c[3] = "13/45/2026")),
  ].join(nl);
  // With a UTF-8 byte-order mark, as Excel writes CSV.
  writeFileSync(files.csv, "\uFEFF" + csv.replace(/(\r?\n)?$/, nl) + extra + nl + csv.split(nl).slice(1, 40).join(nl));
  expect(header.length).toBeGreaterThan(0);

  // HL7: a batch file (FHS, BHS per day … BTS, FTS) as generated, and one with a bad message.
  files.hl7 = find("ehr/hl7", /^dft_charges.*\.hl7$/);
  files.hl7Bad = join(dir, "adt-bad.hl7");
  const adt = readFileSync(find("ehr/hl7", /^adt_batch.*\.hl7$/), "latin1");
  const at = adt.indexOf("\rMSH|", adt.length >> 1) + 1;
  // Its one non-ASCII byte (Latin-1 É) makes the whole file Latin-1, as decodeText reads it.
  const bad = "MSH|^~\\&|X|Y|Z|W|202610010000||ZZ|BAD1|P|2.5.1\rPID|1||||CAFÉ\r";
  writeFileSync(files.hl7Bad, adt.slice(0, at) + bad + adt.slice(at), "latin1");

  // X12: several interchanges in one file (each generated 837 is one ISA…IEA).
  files.x12 = join(dir, "claims.x12");
  const x12s = readdirSync(join(out, "billing/837"))
    .filter((n) => n.endsWith(".x12"))
    .sort();
  expect(x12s.length).toBeGreaterThanOrEqual(3);
  writeFileSync(files.x12, "");
  for (const name of x12s) appendFileSync(files.x12, readFileSync(join(out, "billing/837", name)));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function withStore<T>(name: string, body: (store: Store) => T): Promise<T> {
  const store = await openStore(join(dir, `${name}-${Math.random().toString(36).slice(2)}.db`));
  try {
    return body(store);
  } finally {
    await store.close();
  }
}

/** Everything an import leaves behind, minus clocks and row ids of other tables. */
function snapshot(store: Store) {
  const raw = store.sqlite
    .prepare("SELECT id, connector, kind, control_id, content, sha256, line, status, issues_json, record_count FROM raw_record ORDER BY id")
    .all();
  const canonical: Record<string, unknown[]> = {};
  for (const info of Object.values(CANONICAL_TABLES)) {
    canonical[info.table] = store.sqlite.prepare(`SELECT * FROM ${info.table} ORDER BY id`).all();
  }
  const source = store.sqlite
    .prepare("SELECT units, loaded, quarantined, duplicates, format, system, status, header_line FROM source_file")
    .all();
  return { raw, canonical, source };
}

function ingestBoth(path: string) {
  const profiles = mappingProfiles;
  return Promise.all([
    withStore("whole", (store) => ({ summary: ingestFile(store, path, { ...WHOLE, profiles }), snap: snapshot(store) })),
    withStore("stream", (store) => {
      let loads = 0;
      const summary = ingestFile(store, path, { ...STREAM, profiles, onProgress: () => loads++ });
      return { summary, snap: snapshot(store), loads };
    }),
  ]);
}

describe("ingestFile on a file read as a stream", () => {
  for (const [label, key] of [
    ["CSV (quoted multi-line fields, bad rows, non-ASCII split across reads)", "csv"],
    ["HL7 v2 with FHS/BHS batches", "hl7"],
    ["HL7 v2 with a bad message inside a batch", "hl7Bad"],
    ["X12 837 with several interchanges", "x12"],
  ] as const) {
    it(`loads the same raw units and canonical rows as the whole-file path: ${label}`, async () => {
      const [whole, stream] = await ingestBoth(files[key]);
      expect(whole.snap.raw.length).toBeGreaterThan(5);
      expect(stream.loads, "pieces (or CSV reads) loaded one after another").toBeGreaterThan(3);
      expect(stream.snap.raw).toEqual(whole.snap.raw);
      expect(stream.snap.canonical).toEqual(whole.snap.canonical);
      expect(stream.snap.source).toEqual(whole.snap.source);
      const { issues: streamIssues, ...streamCounts } = stream.summary;
      const { issues: wholeIssues, ...wholeCounts } = whole.summary;
      expect(streamCounts).toEqual(wholeCounts);
      // File-level issues: the same set (the order may differ: the stream reports them piece by piece).
      const key2 = (i: { code: string; message: string }) => `${i.code}|${i.message}`;
      expect(streamIssues.map(key2).sort()).toEqual(wholeIssues.map(key2).sort());
    }, 60_000);
  }

  it("reports the bad message's quarantine and no envelope error for a well-formed batch file", async () => {
    const [, stream] = await ingestBoth(files.hl7Bad);
    expect(stream.summary.quarantined).toBe(1);
    expect(stream.summary.issues.map((i) => i.code)).toContain("ENCODING");
    const [, csv] = await ingestBoth(files.csv);
    expect(csv.summary.quarantined).toBeGreaterThanOrEqual(2);
    const [, good] = await ingestBoth(files.hl7);
    expect(good.summary.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(good.summary.quarantined).toBe(0);
  }, 60_000);

  it("stops between batches when cancelled, and a re-import loads the rest", async () => {
    await withStore("cancel", (store) => {
      let batches = 0;
      const progress: number[] = [];
      expect(() =>
        ingestFile(store, files.hl7, {
          ...STREAM,
          isCancelled: () => ++batches > 3,
          onProgress: (p) => progress.push(p.done),
        }),
      ).toThrow(IngestCancelled);
      const partial = store.sqlite.prepare("SELECT status, units FROM source_file").get() as { status: string; units: number };
      expect(partial.status).toBe("partial");
      expect(partial.units).toBeGreaterThan(0);
      expect(progress.length).toBeGreaterThan(0);
      const again = ingestFile(store, files.hl7, STREAM);
      expect(again.duplicateFile).toBe(false);
      expect(again.duplicates).toBe(partial.units);
      expect(again.loaded).toBe(again.records - partial.units);
      const done = store.sqlite.prepare("SELECT status FROM source_file").all();
      expect(done).toEqual([{ status: "complete" }]);
      return snapshot(store).raw.length;
    }).then(async (count) => {
      const whole = await withStore("whole", (store) => {
        ingestFile(store, files.hl7);
        return snapshot(store).raw.length;
      });
      expect(count).toBe(whole);
    });
  }, 60_000);

  it("keeps a big file it cannot read: the first part in quarantine, saying where the rest is", async () => {
    const junk = join(dir, "junk.bin");
    writeFileSync(junk, Buffer.alloc(300_000, 1));
    await withStore("junk", (store) => {
      const summary = ingestFile(store, junk, { ...STREAM, archiveHeadBytes: 100_000 });
      expect(summary.quarantined).toBe(1);
      const raw = store.sqlite.prepare("SELECT kind, status, length(content) AS n, issues_json FROM raw_record").get() as {
        kind: string;
        status: string;
        n: number;
        issues_json: string;
      };
      expect(raw).toMatchObject({ kind: "file", status: "quarantined", n: 100_000 });
      const messages = (JSON.parse(raw.issues_json) as { code: string; message: string }[]).map((i) => `${i.code}: ${i.message}`);
      expect(messages.some((m) => m.startsWith("UNKNOWN_FORMAT"))).toBe(true);
      expect(
        messages.some((m) =>
          /ARCHIVED_HEAD: junk\.bin: the file is 300000 bytes; this record keeps only its first .*stays at .*junk\.bin/.test(m),
        ),
      ).toBe(true);
    });
  });

  it("a file imported twice changes nothing (hash computed while streaming)", async () => {
    await withStore("twice", (store) => {
      const first = ingestFile(store, files.x12, STREAM);
      const again = ingestFile(store, files.x12, STREAM);
      expect(again.duplicateFile).toBe(true);
      expect(first.records).toBeGreaterThan(0);
      expect(store.sqlite.prepare("SELECT COUNT(*) AS n FROM source_file").get()).toEqual({ n: 1 });
    });
  });
});

describe("lastIsaAfterIea", () => {
  it("cuts only before an ISA that follows an IEA", () => {
    const isa = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *261107*2200*^*00501*000000001*0*P*:~";
    const one = `${isa}\nGS*HC*A*B*20261107*2200*1*X*005010X223A2~\nIEA*1*000000001~\n`;
    expect(lastIsaAfterIea(one)).toBe(-1);
    expect(lastIsaAfterIea(one + one)).toBe(one.length);
    expect(lastIsaAfterIea(one + one + one, one.length * 2)).toBe(one.length);
  });
});
