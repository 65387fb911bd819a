import { describe, expect, it } from "vitest";
import type { PassSpec } from "../../../src-shared/reconRules";
import { explainGroup, runPasses, type SideRow } from "./matcher";
import { jaroWinkler, normalizeKey, normalizeWords, tokenSimilarity } from "./normalize";

const row = (key: string, amount: number | null, values: Record<string, unknown>): SideRow => ({
  key,
  amount,
  values: { row_key: key, ...values },
});
/** A pass keyed on column k, 1:1 and automatic unless told otherwise. */
const onKey = (extra: Partial<PassSpec> = {}): PassSpec => ({
  id: "p",
  label: "P",
  keys: [{ label: "k", left: "k", right: "k" }],
  cardinality: "1:1",
  mode: "auto",
  ...extra,
});
const run = (left: SideRow[], right: SideRow[], passes: PassSpec[]) =>
  runPasses(left, right, passes, new Uint8Array(left.length), new Uint8Array(right.length));

describe("matching core", () => {
  it("matches 1:1 within an amount tolerance and a date window, and says why in words", () => {
    const pass: PassSpec = {
      id: "trace",
      label: "Trace",
      keys: [{ label: "trace", left: "trace", right: "trace" }],
      amount: { absCents: 5 },
      date: { left: "d", right: "d", minDays: -3, maxDays: 3 },
      cardinality: "1:1",
      mode: "auto",
    };
    const left = [row("L1", 10_000, { trace: "1234", d: "2026-10-01" })];
    const right = [row("R1", 10_003, { trace: "1234", d: "2026-10-03" })];
    const groups = run(left, right, [pass]);
    expect(groups).toHaveLength(1);
    expect(explainGroup(pass, left, right, groups[0]!)).toBe(
      "Trace: trace 1234 equal, amount differs by $0.03 within $0.05, dates 2 days apart",
    );
    expect(groups[0]!.score).toBeLessThan(1);
  });

  it("refuses a pair outside the tolerance or the window", () => {
    const pass: PassSpec = {
      id: "p",
      label: "P",
      keys: [{ label: "k", left: "k", right: "k" }],
      amount: { absCents: 0 },
      date: { left: "d", right: "d", minDays: 0, maxDays: 1 },
      cardinality: "1:1",
      mode: "auto",
    };
    expect(run([row("L", 100, { k: "a", d: "2026-10-01" })], [row("R", 101, { k: "a", d: "2026-10-01" })], [pass])).toHaveLength(0);
    expect(run([row("L", 100, { k: "a", d: "2026-10-05" })], [row("R", 100, { k: "a", d: "2026-10-01" })], [pass])).toHaveLength(0);
  });

  it("keeps a row's best candidates in a large block, not its first ones", () => {
    const pass = onKey({ amount: { absCents: 100 } });
    // 100 candidates share the key; the one with the exact amount comes 80th.
    const right = Array.from({ length: 100 }, (_, i) => row(`R${i}`, i === 79 ? 5_000 : 5_050, { k: "a" }));
    const [group] = run([row("L", 5_000, { k: "a" })], right, [pass]);
    expect(group!.right).toEqual([79]);
  });

  it("works a percent tolerance out to the cent, without floating-point loss", () => {
    // 0.57% of $100.00 is 57 cents: a 57-cent difference is inside, 58 cents is not.
    const pass = onKey({ amount: { absCents: 0, pct: 0.57 } });
    expect(run([row("L", 10_000, { k: "a" })], [row("R", 10_057, { k: "a" })], [pass])).toHaveLength(1);
    expect(run([row("L", 10_000, { k: "a" })], [row("R", 10_058, { k: "a" })], [pass])).toHaveLength(0);
    // Past 2^53 in the intermediate product the cents are still exact.
    const big = 9_000_000_000_000;
    expect(run([row("L", big, { k: "a" })], [row("R", big + 51_300_000_000, { k: "a" })], [pass])).toHaveLength(1);
    expect(run([row("L", big, { k: "a" })], [row("R", big + 51_300_000_001, { k: "a" })], [pass])).toHaveLength(0);
  });

  it("never matches a row without an amount as $0.00 in a pass that checks amounts", () => {
    const one = onKey({ amount: { absCents: 0 } });
    expect(run([row("L", null, { k: "a" })], [row("R", 0, { k: "a" })], [one])).toHaveLength(0);
    const sum: PassSpec = { ...one, cardinality: "N:1", maxGroup: 4 };
    const groups = run(
      [row("A", 5000, { k: "a" }), row("B", null, { k: "a" }), row("C", 3000, { k: "a" })],
      [row("R", 8000, { k: "a" })],
      [sum],
    );
    expect(groups.map((g) => g.left)).toEqual([[0, 2]]);
    expect(
      run([row("A", 5000, { k: "a" }), row("B", null, { k: "a" })], [row("R", 5000, { k: "a" })], [{ ...one, cardinality: "N:M" }]),
    ).toHaveLength(0);
    // Without an amount check (a key-only pass) such a row still matches on its key.
    expect(run([row("L", null, { k: "a" })], [row("R", 0, { k: "a" })], [{ ...one, amount: undefined }])).toHaveLength(1);
  });

  it("refuses a date that is no real day rather than rolling it into the next month", () => {
    const pass = onKey({ date: { left: "d", right: "d", minDays: -3, maxDays: 3 } });
    expect(run([row("L", 1, { k: "a", d: "2026-02-30" })], [row("R", 1, { k: "a", d: "2026-03-02" })], [pass])).toHaveLength(0);
    expect(run([row("L", 1, { k: "a", d: "2026-13-01" })], [row("R", 1, { k: "a", d: "2027-01-01" })], [pass])).toHaveLength(0);
    expect(run([row("L", 1, { k: "a", d: "2028-02-29" })], [row("R", 1, { k: "a", d: "2028-03-01" })], [pass])).toHaveLength(1);
  });

  it("sums several left rows into one right row (N:1, bounded), e.g. ERAs bundled in one deposit", () => {
    const pass: PassSpec = {
      id: "bundle",
      label: "Bundle",
      keys: [{ label: "trace", left: "trace", right: "addenda", rightNormalize: "trnTraces" }],
      amount: { absCents: 0 },
      cardinality: "N:1",
      maxGroup: 4,
      mode: "auto",
    };
    const left = [row("A", 100, { trace: "A" }), row("B", 250, { trace: "B" }), row("C", 999, { trace: "C" })];
    const right = [row("DEP", 350, { addenda: "HCCLAIMPMT TRN*1*A*1999\\ TRN*1*B*1999\\" })];
    const groups = run(left, right, [pass]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.left).toEqual([0, 1]);
    expect(groups[0]!.right).toEqual([0]);
    expect(explainGroup(pass, left, right, groups[0]!)).toContain("2 left totalling $3.50 against 1 right totalling $3.50");
  });

  it("finds a subset when not every candidate belongs (bounded sum matching)", () => {
    const pass: PassSpec = {
      id: "s",
      label: "S",
      keys: [{ label: "k", left: "k", right: "k" }],
      amount: { absCents: 0 },
      cardinality: "1:N",
      maxGroup: 3,
      mode: "auto",
    };
    const right = [10, 20, 30, 45].map((a, i) => row(`R${i}`, a, { k: "x" }));
    const groups = run([row("L", 75, { k: "x" })], right, [pass]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.right.map((i) => right[i]!.amount).reduce((s: number, a) => s + (a ?? 0), 0)).toBe(75);
  });

  it("finds a single exact partner however late it comes in a large block", () => {
    const pass = onKey({ amount: { absCents: 0 }, cardinality: "1:N", maxGroup: 5 });
    // 40 candidates, none summing to 1,234 with another; the exact one is the 31st.
    const right = Array.from({ length: 40 }, (_, i) => row(`R${i}`, i === 30 ? 1234 : 100_000 + i * 7, { k: "x" }));
    const groups = run([row("L", 1234, { k: "x" })], right, [pass]);
    expect(groups.map((g) => g.right)).toEqual([[30]]);
  });

  it("explains and scores a wide N:M group without running out of stack", () => {
    const pass = onKey({
      amount: { absCents: 0 },
      date: { left: "d", right: "d", minDays: -5, maxDays: 5 },
      cardinality: "N:M",
      maxGroup: 400,
    });
    const side = (p: string) => Array.from({ length: 400 }, (_, i) => row(`${p}${i}`, 100, { k: "x", d: `2026-10-0${1 + (i % 5)}` }));
    const groups = run(side("L"), side("R"), [pass]);
    expect(groups).toHaveLength(1);
    expect(explainGroup(pass, side("L"), side("R"), groups[0]!)).toContain("dates up to 4 days apart");
  });

  it("groups whole blocks N:M when the sums agree", () => {
    const pass: PassSpec = {
      id: "nm",
      label: "NM",
      keys: [{ label: "k", left: "k", right: "k" }],
      amount: { absCents: 0 },
      cardinality: "N:M",
      maxGroup: 5,
      mode: "auto",
    };
    const groups = run([row("L1", 5, { k: "x" }), row("L2", 5, { k: "x" })], [row("R1", 3, { k: "x" }), row("R2", 7, { k: "x" })], [pass]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.left).toHaveLength(2);
    expect(groups[0]!.right).toHaveLength(2);
  });

  it("runs passes in order, later passes only see what is left, and is deterministic", () => {
    const exact: PassSpec = {
      id: "exact",
      label: "Exact",
      keys: [{ label: "k", left: "k", right: "k" }],
      amount: { absCents: 0 },
      cardinality: "1:1",
      mode: "auto",
    };
    const zeros: PassSpec = {
      id: "zeros",
      label: "Zeros",
      keys: [{ label: "k", left: "k", right: "k", normalize: "stripLeadingZeros" }],
      amount: { absCents: 0 },
      cardinality: "1:1",
      mode: "auto",
    };
    const left = [row("L1", 1, { k: "007" }), row("L2", 1, { k: "008" })];
    const right = [row("R1", 1, { k: "7" }), row("R2", 1, { k: "008" })];
    const a = run(left, right, [exact, zeros]);
    const b = run(left, right, [exact, zeros]);
    expect(a).toEqual(b);
    expect(a.map((g) => [g.passId, g.left[0], g.right[0]])).toEqual([
      ["exact", 1, 1],
      ["zeros", 0, 0],
    ]);
  });

  it("gives a candidate to the row it fits best, using soft keys to break ties", () => {
    const pass: PassSpec = {
      id: "p",
      label: "P",
      keys: [{ label: "k", left: "k", right: "k" }],
      amount: { absCents: 0 },
      prefer: [{ label: "npi", left: "npi", right: "npi" }],
      cardinality: "1:1",
      mode: "auto",
    };
    const groups = run(
      [row("L1", 5, { k: "x", npi: "1" }), row("L2", 5, { k: "x", npi: "2" })],
      [row("R1", 5, { k: "x", npi: "2" })],
      [pass],
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]!.left).toEqual([1]);
  });

  it("stays near-linear: 200,000 rows a side block on keys in well under the product", () => {
    const n = 200_000;
    const left: SideRow[] = [];
    const right: SideRow[] = [];
    for (let i = 0; i < n; i++) {
      left.push(row(`L${i}`, i % 1000, { k: `K${i}` }));
      right.push(row(`R${i}`, (n - 1 - i) % 1000, { k: `K${n - 1 - i}` }));
    }
    const pass: PassSpec = {
      id: "p",
      label: "P",
      keys: [{ label: "k", left: "k", right: "k" }],
      amount: { absCents: 0 },
      cardinality: "1:1",
      mode: "auto",
    };
    const t = Date.now();
    const groups = run(left, right, [pass]);
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(groups).toHaveLength(n);
    expect(groups.every((g) => left[g.left[0]!]!.values.k === right[g.right[0]!]!.values.k)).toBe(true);
  });
});

describe("normalisation and similarity", () => {
  it("pulls every TRN02 out of CCD+ addenda", () => {
    expect(normalizeKey("HCCLAIMPMT AETNA TRN*1*03676572*1066033492\\ TRN*1*0088*1066033492\\", "trnTraces")).toEqual(["03676572", "0088"]);
    expect(normalizeKey("00558631", "stripLeadingZeros")).toEqual(["558631"]);
    expect(normalizeKey("TRN*1*00558631*1\\", ["trnTraces", "stripLeadingZeros"])).toEqual(["558631"]);
    expect(normalizeKey(null, "trim")).toEqual([]);
  });

  it("computes Jaro-Winkler and token similarity", () => {
    expect(jaroWinkler("martha", "marhta")).toBeCloseTo(0.961, 3);
    expect(jaroWinkler("dwayne", "duane")).toBeCloseTo(0.84, 2);
    expect(tokenSimilarity("NOVAK, FATIMA", "Fatima Novak")).toBe(1);
  });

  it("folds accents, keeps other scripts, and finds nothing alike in two blanks", () => {
    expect(normalizeWords("NÚÑEZ, José  Müller-Zoë")).toBe("nunez jose muller zoe");
    expect(tokenSimilarity("Müller, Zoë", "Zoe Muller")).toBe(1);
    expect(normalizeKey("José Núñez", "words")).toEqual(normalizeKey("JOSE NUNEZ", "words"));
    expect(jaroWinkler(normalizeWords("Иванов"), normalizeWords("Петров"))).toBeLessThan(0.7);
    expect(jaroWinkler("", "")).toBe(0);
    expect(tokenSimilarity("", "  ")).toBe(0);
    const pass = onKey({ text: [{ label: "name", left: "n", right: "n", method: "jaro-winkler", min: 0.9 }] });
    expect(run([row("L", 1, { k: "x", n: null })], [row("R", 1, { k: "x", n: null })], [pass])).toEqual([]);
  });
});
