import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateHealthSystem } from "../../../fixtures/generator/generate";
import type { Truth } from "../../../fixtures/generator/truth";
import { readTruth } from "./score";
import { streamJsonValues, type JsonPath, type StreamJsonOptions } from "./truthStream";

let dir: string;
let fileCount = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tieout-truth-stream-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeJson(text: string | Buffer): string {
  const file = join(dir, `f${fileCount++}.json`);
  writeFileSync(file, text);
  return file;
}

function collect(file: string, options: StreamJsonOptions): [string, unknown][] {
  const out: [string, unknown][] = [];
  streamJsonValues(file, (path, value) => out.push([JSON.stringify(path), value]), options);
  return out;
}

/** Every scalar in a parsed document with its path, in document order. */
function leaves(value: unknown, path: (string | number)[] = [], out: [string, unknown][] = []): [string, unknown][] {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, [...path, i], out));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
  else out.push([JSON.stringify(path), value]);
  return out;
}

const isContainer = (v: unknown) => v !== null && typeof v === "object";

// Escapes, 2-, 3- and 4-byte UTF-8 (é, 中, 😀), whitespace everywhere, numbers of every form.
const TRICKY = `\uFEFF \r\n\t{
  "quote\\"key" : "a \\"quoted\\" word",
  "back\\\\slash": ["C:\\\\dir\\\\", "\\\\", "\\u00e9t\\u00C9 \\ud83d\\ude00 \\/ \\b\\f\\n\\r\\t"],
  "utf8" : "déjà vu 中文 😀😀 ${"é".repeat(9)}",
  "numbers": [0, -0, 1, -12, 3.25, -0.5e-3, 1E+2, 2e10, 123456789012, 0.0],
  "literals":[true,false,null , [ ], { }],
  "nested": { "a": { "b": [ { "c": [1, [2, [3, {"d": "}]{[\\""}]]] } ] } },
  "é中😀": "key in UTF-8",
  "empty": ""
}
  `;

describe("streamJsonValues", () => {
  it("reads escapes, unicode and multi-byte characters split across every chunk boundary", () => {
    const file = writeJson(TRICKY);
    const expected = JSON.parse(TRICKY.slice(1)) as Record<string, unknown>;
    for (let chunkBytes = 1; chunkBytes <= 17; chunkBytes++) {
      const whole = collect(file, { emitAt: (p) => p.length === 0, chunkBytes });
      expect(whole, `chunk ${chunkBytes}`).toEqual([["[]", expected]]);
      const scalars = collect(file, { emitAt: () => false, chunkBytes });
      expect(scalars, `chunk ${chunkBytes}`).toEqual([]);
      const topLevel = collect(file, { emitAt: (p) => p.length === 1, chunkBytes });
      expect(topLevel, `chunk ${chunkBytes}`).toEqual(Object.entries(expected).map(([k, v]) => [JSON.stringify([k]), v]));
      const allLeaves = collect(file, { emitAt: (p) => p.length > 0 && !isContainer(valueAt(expected, p)), chunkBytes });
      expect(allLeaves, `chunk ${chunkBytes}`).toEqual(leaves(expected));
    }
  });

  it("hands back values at a path whatever the order of the keys around them", () => {
    const matches: [string, unknown][] = [
      ['["templates","x","matches",0]', { left: ["a"] }],
      ['["templates","x","matches",1]', { left: ["b"] }],
    ];
    const period: [string, unknown] = ['["period"]', "2026-10"];
    const cases: [unknown, [string, unknown][]][] = [
      [
        { period: "2026-10", other: { period: "nested" }, templates: { x: { matches: [{ left: ["a"] }, { left: ["b"] }] } } },
        [period, ...matches],
      ],
      [
        { templates: { x: { extra: [1, 2], matches: [{ left: ["a"] }, { left: ["b"] }] } }, zzz: null, period: "2026-10" },
        [...matches, period],
      ],
    ];
    for (const [doc, expected] of cases) {
      const file = writeJson(JSON.stringify(doc, null, 2));
      const emitAt = (p: JsonPath) => (p.length === 1 && p[0] === "period") || (p.length === 4 && p[2] === "matches");
      expect(collect(file, { emitAt, chunkBytes: 7 })).toEqual(expected);
    }
  });

  it("does not look inside skipped containers or emitted values", () => {
    const file = writeJson(JSON.stringify({ skip: { deep: [{ a: 1 }, [2, 3]] }, keep: [{ b: { c: 1 } }, "s"] }, null, 2));
    const asked: string[] = [];
    const got: [string, unknown][] = [];
    streamJsonValues(file, (p, v) => got.push([JSON.stringify(p), v]), {
      emitAt: (p) => {
        asked.push(JSON.stringify(p));
        return p.length === 2;
      },
      enter: (p) => p[0] !== "skip",
      chunkBytes: 5,
    });
    expect(asked).toEqual(["[]", '["skip"]', '["keep"]', '["keep",0]', '["keep",1]']);
    expect(got).toEqual([
      ['["keep",0]', { b: { c: 1 } }],
      ['["keep",1]', "s"],
    ]);
  });

  it("emits a scalar root, including a number that ends at the end of the file", () => {
    for (const text of ["42", " -1.5e3 ", '"only"', "null"]) {
      const file = writeJson(text);
      for (const chunkBytes of [1, 2, 64]) {
        expect(collect(file, { emitAt: () => true, chunkBytes })).toEqual([["[]", JSON.parse(text)]]);
      }
    }
  });

  it("accepts exactly what JSON.parse accepts, on random documents and one-character corruptions of them", () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const pieces = ["a", "é", "中", "😀", '"', "\\", "\n", " ", "}", "["];
    const randomValue = (depth: number): unknown => {
      const kind = rand(depth > 3 ? 4 : 6);
      if (kind === 0) return [0, -1, 2.5, -3e-7, 1e21, 123456][rand(6)];
      if (kind === 1) return Array.from({ length: rand(4) }, () => pieces[rand(pieces.length)]).join("");
      if (kind === 2) return [true, false][rand(2)];
      if (kind === 3) return null;
      if (kind === 4) return Array.from({ length: rand(4) }, () => randomValue(depth + 1));
      return Object.fromEntries(Array.from({ length: rand(4) }, (_, i) => [`k${i}${pieces[rand(pieces.length)]}`, randomValue(depth + 1)]));
    };
    const noise = [" ", "\n", "{", "}", "[", "]", '"', ",", ":", "\\", "0", "1", "-", ".", "e", "+", "t", "n", "u", "x", "é", "\t"];
    for (let round = 0; round < 300; round++) {
      const text = JSON.stringify(randomValue(0), null, rand(3));
      const at = rand(text.length + 1);
      const corrupt = [text, text.slice(0, at) + noise[rand(noise.length)] + text.slice(at + rand(2))][rand(2)]!;
      let expected: unknown;
      let valid = true;
      try {
        expected = JSON.parse(corrupt);
      } catch {
        valid = false;
      }
      const file = writeJson(corrupt);
      const read = () => collect(file, { emitAt: (p) => p.length === 0, chunkBytes: 1 + rand(9) });
      if (valid) expect(read(), corrupt).toEqual([["[]", expected]]);
      else expect(read, corrupt).toThrow(`${file}: invalid JSON at byte`);
    }
  });

  it.each([
    ["", 0, "expected a value, found the end of the file"],
    ["   ", 3, "expected a value"],
    ['{"a": [1, 2', 11, "the rest of the open array"],
    ['{"a": "unterminated', 19, "closing '\"'"],
    ['{"a": 1,}', 8, "expected a string key"],
    ["[1, 2,]", 6, "expected a value"],
    ['{"a" 1}', 5, "expected ':'"],
    ['{"a": 1]', 7, "expected ',' or '}'"],
    ["[1}", 2, "expected ',' or ']'"],
    ['["bad \\x escape"]', 7, "an escape"],
    ['["\\u12G4"]', 6, "a hex digit"],
    ['["tab\there"]', 5, "control character"],
    ["[01]", 2, "leading 0"],
    ["[1.]", 3, "a digit"],
    ["[-]", 2, "a digit"],
    ["[1e+]", 4, "a digit"],
    ["[tru]", 4, '"true"'],
    ["[nul", 4, "the rest of the open array"],
    ['{"é": x}', 7, 'expected a value, found "x"'],
    ["{} {}", 3, "the end of the file after the root value"],
    ["{'a': 1}", 1, "a string key or '}'"],
  ])("rejects %j with the file and the byte offset", (text, byte, message) => {
    const file = writeJson(text);
    for (const chunkBytes of [1, 3, 1024]) {
      expect(() => collect(file, { emitAt: (p) => p.length === 1, chunkBytes })).toThrow(`${file}: invalid JSON at byte ${byte}`);
      expect(() => collect(file, { emitAt: () => false, chunkBytes })).toThrow(message);
    }
  });

  it("rejects bytes that are not UTF-8, naming the file", () => {
    const file = writeJson(Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
    expect(() => collect(file, { emitAt: () => false })).toThrow(`${file}: not valid UTF-8`);
    const truncated = writeJson(Buffer.concat([Buffer.from('"'), Buffer.from([0xe4, 0xb8])]));
    expect(() => collect(truncated, { emitAt: () => false, chunkBytes: 2 })).toThrow(`${truncated}: not valid UTF-8`);
  });
});

function valueAt(root: unknown, path: JsonPath): unknown {
  let v = root;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v;
}

describe("readTruth", () => {
  it("keeps what the scorer compares, as JSON.parse of a generated truth.json gives it", async () => {
    const r = await generateHealthSystem({ outDir: join(dir, "gen"), encounters: 200, seed: 11, messageStream: false });
    const parsed = JSON.parse(readFileSync(r.truthPath, "utf8")) as Truth;
    const expected = {
      period: parsed.period,
      encounters: parsed.encounters,
      templates: Object.fromEntries(
        Object.entries(parsed.templates).map(([id, t]) => [
          id,
          {
            matches: t.matches.map((m) => ({ left: m.left, right: m.right })),
            exceptions: t.exceptions.map((e) => ({ reason: e.reason, left: e.left, right: e.right })),
          },
        ]),
      ),
    };
    const truth = readTruth(r.truthPath);
    expect(truth).toEqual(expected);
    expect(Object.keys(truth.templates)).toEqual(Object.keys(parsed.templates));
    expect(Object.values(truth.templates).some((t) => t.exceptions.length > 0)).toBe(true);
  });

  it("reads a truth whose keys come in another order, with fields it does not need", () => {
    const file = writeJson(
      JSON.stringify(
        {
          templates: {
            "claim-remittance": {
              exceptions: [{ message: 'CLM "7" denied', right: ["t:7:0"], reason: "denial", left: ["7"], amountCents: 100 }],
              unmatched: [{ side: "left", key: "9", reason: "awaiting-remittance" }],
              matches: [{ pattern: "1:1", right: ["t:8:0"], left: ["8"] }],
            },
            "master-data": { matches: [], exceptions: [] },
          },
          breaks: [{ kind: "denial", count: 1, templates: ["claim-remittance"] }],
          encounters: 3,
          period: "2026-10",
        },
        null,
        2,
      ),
    );
    expect(readTruth(file)).toEqual({
      period: "2026-10",
      encounters: 3,
      templates: {
        "claim-remittance": {
          matches: [{ left: ["8"], right: ["t:8:0"] }],
          exceptions: [{ reason: "denial", left: ["7"], right: ["t:7:0"] }],
        },
        "master-data": { matches: [], exceptions: [] },
      },
    });
  });

  it("names the file when the truth is cut short", () => {
    const file = writeJson(
      '{\n  "period": "2026-10",\n  "encounters": 3,\n  "templates": {\n    "x": {\n      "matches": [\n        {"left": ["a"], "ri',
    );
    expect(() => readTruth(file)).toThrow(`${file}: invalid JSON at byte`);
  });
});
