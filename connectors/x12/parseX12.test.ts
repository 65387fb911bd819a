import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CanonicalRecord, ClaimPayment, RawUnit } from "../../src-shared/model";
import { parseDecimalToCents } from "../../src-shared/money";
import { parseX12 } from "./parseX12";
import { requiredAmount, type X12TransactionContext } from "./x12Context";

const ISA_5010 = "ISA*00*          *00*          *ZZ*ACMEPAYER      *ZZ*GENHOSP        *240105*1200*^*00501*000000101*0*P*:~";
const ISA_4010 = "ISA*00*          *00*          *ZZ*ACMEPAYER      *ZZ*GENHOSP        *240105*1200*U*00401*000000102*0*P*:~";

/** ST..SE with a correct SE01 from the body segments (without ST/SE). */
function transaction(set: string, control: string, body: string[], st03?: string): string[] {
  const st = st03 ? `ST*${set}*${control}*${st03}` : `ST*${set}*${control}`;
  return [st, ...body, `SE*${body.length + 2}*${control}`];
}

/** One interchange, one group; segments joined with "~\n". */
function interchange(isa: string, gs: string, transactions: string[][]): string {
  const gs06 = gs.split("*")[6]!;
  const isa13 = isa.split("*")[13]!;
  const segs = [gs, ...transactions.flat(), `GE*${transactions.length}*${gs06}`, `IEA*1*${isa13}`];
  return `${isa}\n${segs.map((s) => s + "~").join("\n")}\n`;
}

const GS_835 = "GS*HP*ACMEPAYER*GENHOSP*20240105*1200*101*X*005010X221A1";

function remitBody(opts: { bpr: string; claims: string[][]; plb?: string[] }): string[] {
  return [
    `BPR*I*${opts.bpr}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*987654321*20240105`,
    "TRN*1*EFT0001*1512345678",
    "N1*PR*ACME HEALTH PLAN",
    "N1*PE*GENERAL HOSPITAL*XX*1234567893",
    "LX*1",
    ...opts.claims.flat(),
    ...(opts.plb ?? []),
  ];
}

function records<T extends CanonicalRecord["type"]>(unit: RawUnit, type: T): Extract<CanonicalRecord, { type: T }>[] {
  return unit.records.filter((r): r is Extract<CanonicalRecord, { type: T }> => r.type === type);
}

function errors(unit: RawUnit) {
  return unit.issues.filter((i) => i.severity === "error");
}

describe("X12 tokenizer and envelope", () => {
  it("reads the separators from the ISA: element '~', component '^', segment '_'", () => {
    const isa = "ISA~00~          ~01~SECRET    ~ZZ~SUBMITTERS.ID  ~ZZ~RECEIVERS.ID   ~030101~1253~U~00501~000000905~1~T~^_";
    const segs = [
      "GS~HC~SENDER~RECEIVER~19991231~0802~1~X~005010X222A1",
      "ST~837~0001~005010X222A1",
      "HL~1~~20~1",
      "NM1~85~2~MEDICAL GROUP~~~~~XX~1234567890",
      "HL~2~1~22~0",
      "NM1~PR~2~PAYER~~~~~PI~P1",
      "CLM~A1~12.25~~~11^B^1~Y~A~Y~I",
      "LX~1",
      "SV1~HC^99211^25~12.25~UN~1~11~~1~~Y",
      "SE~9~0001",
      "GE~1~1",
      "IEA~1~000000905",
    ];
    const r = parseX12(isa + "\n" + segs.join("_\n") + "_\n", { fileName: "seps.837" });
    expect(r.issues).toEqual([]);
    expect(r.units).toHaveLength(1);
    const u = r.units[0]!;
    expect(errors(u)).toEqual([]);
    expect(records(u, "claim")[0]).toMatchObject({
      claimId: "A1",
      totalChargeCents: 1225,
      frequencyCode: "1",
      billingNpi: "1234567890",
      payerId: "P1",
    });
    expect(records(u, "claimLine")[0]).toMatchObject({ procedureCode: "99211", modifiers: "25", chargeCents: 1225 });
  });

  it("takes CR as the segment terminator when it follows ISA16", () => {
    const text = [
      ISA_5010.slice(0, -1),
      GS_835,
      ...transaction("835", "0001", remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1"]] })),
      "GE*1*101",
      "IEA*1*000000101",
    ].join("\r");
    const r = parseX12(text + "\r", { fileName: "cr.835" });
    expect(r.issues).toEqual([]);
    expect(r.units).toHaveLength(1);
    expect(errors(r.units[0]!)).toEqual([]);
    expect(r.units[0]!.line).toBe(3);
    expect(records(r.units[0]!, "claimPayment")).toHaveLength(1);
  });

  it("ignores a BOM, indentation and CRLF between segments", () => {
    const body = transaction("835", "0001", remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1"]] }));
    const segs = [ISA_5010.slice(0, -1), "  " + GS_835, ...body.map((s) => "      " + s), "  GE*1*101", "IEA*1*000000101"];
    const r = parseX12("\ufeff" + segs.map((s) => s + "~\r\n").join(""), { fileName: "indent.835" });
    expect(r.issues).toEqual([]);
    expect(errors(r.units[0]!)).toEqual([]);
    expect(r.units[0]!.line).toBe(3);
  });

  it("reads several interchanges, each with its own separators", () => {
    const first = interchange(ISA_5010, GS_835, [
      transaction("835", "0001", remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1"]] })),
    ]);
    const isa2 = "ISA|00|          |00|          |ZZ|OTHERPAYER     |ZZ|GENHOSP        |240106|1200|^|00501|000000777|0|P|>";
    const second = [
      isa2,
      "GS|HP|OTHERPAYER|GENHOSP|20240106|1200|7|X|005010X221A1",
      "ST|835|0002",
      "BPR|I|20.00|C|CHK||||||||||||20240106",
      "TRN|1|CHK0002|1999999999",
      "CLP|C2|1|20|20|0|12|ICN2",
      "SVC|HC>99213>25|20|20||1",
      "SE|6|0002",
      "GE|1|7",
      "IEA|1|000000777",
    ].join("\n");
    const r = parseX12(first + second + "\n", { fileName: "two.835" });
    expect(r.issues).toEqual([]);
    expect(r.units.map((u) => u.controlId)).toEqual(["ACMEPAYER|000000101|101|0001", "OTHERPAYER|000000777|7|0002"]);
    expect(r.units.every((u) => errors(u).length === 0)).toBe(true);
    const svc = records(r.units[1]!, "servicePayment")[0]!;
    expect(svc.procedureCode).toBe("99213");
    expect(records(r.units[1]!, "remittancePayment")[0]).toMatchObject({ traceNumber: "CHK0002", amountCents: 2000, balanced: true });
  });

  it("makes each ST..SE one unit with the ISA and GS in front, and the unit re-reads on its own", () => {
    const text = interchange(ISA_5010, GS_835, [
      transaction("835", "0001", remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1"]] })),
      transaction("835", "0002", remitBody({ bpr: "5.00", claims: [["CLP*C2*1*5*5*0*12*ICN2"]] })),
    ]);
    const r = parseX12(text, { fileName: "two-st.835" });
    expect(r.units).toHaveLength(2);
    const u = r.units[1]!;
    expect(u.kind).toBe("x12-transaction");
    expect(u.controlId).toBe("ACMEPAYER|000000101|101|0002");
    expect(u.text.startsWith(ISA_5010 + GS_835 + "~ST*835*0002")).toBe(true);
    expect(u.text.endsWith("SE*8*0002~")).toBe(true);
    expect(text).toContain(u.text.slice(ISA_5010.length + GS_835.length + 1));
    const again = parseX12(u.text, { fileName: "replay" });
    expect(again.units[0]!.records).toEqual(u.records);
    expect(again.issues.map((i) => i.where.segment)).toEqual(["GE", "IEA"]);
  });

  it("flags a wrong SE01 on that transaction only and keeps reading the next", () => {
    const good = transaction("835", "0002", remitBody({ bpr: "5.00", claims: [["CLP*C2*1*5*5*0*12*ICN2"]] }));
    const bad = transaction("835", "0001", remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1"]] }));
    bad[bad.length - 1] = "SE*99*0001";
    const r = parseX12(interchange(ISA_5010, GS_835, [bad, good]), { fileName: "count.835" });
    expect(r.units).toHaveLength(2);
    expect(errors(r.units[0]!).map((i) => i.message)).toEqual([
      `count.835 line 10, SE01: expected the number of segments from ST to SE, 8, found "99"`,
    ]);
    expect(errors(r.units[1]!)).toEqual([]);
  });

  it("reports envelope count and control mismatches (GE01, IEA02) at file level without quarantining units", () => {
    const text = interchange(ISA_5010, GS_835, [
      transaction("835", "0001", remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1"]] })),
    ])
      .replace("GE*1*101", "GE*3*101")
      .replace("IEA*1*000000101", "IEA*1*000000999");
    const r = parseX12(text, { fileName: "env.835" });
    expect(errors(r.units[0]!)).toEqual([]);
    expect(r.issues.map((i) => [i.severity, i.where.field])).toEqual([
      ["error", "GE01"],
      ["error", "IEA02"],
    ]);
    expect(r.issues[1]!.message).toBe(
      `env.835 line 12, IEA02: expected the interchange control number from ISA13, "000000101", found "000000999"`,
    );
  });

  it("quarantines a transaction cut off before SE and says where it started", () => {
    const body = transaction("835", "0001", remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1"]] })).slice(0, -1);
    const r = parseX12([ISA_5010, GS_835 + "~", ...body.map((s) => s + "~")].join("\n"), { fileName: "cut.835" });
    expect(r.units).toHaveLength(1);
    expect(errors(r.units[0]!)[0]!.message).toMatch(
      /cut\.835 line \d+, SE: transaction set 835 0001 \(ST on line 3\) ends without an SE trailer/,
    );
    expect(r.issues.map((i) => i.where.segment)).toEqual(["GE", "IEA"]);
  });

  it("gives a clear file-level error and no units when there is no ISA", () => {
    const r = parseX12("GS*HC*SENDER*RECEIVER*19991231*0802*1*X*005010X222A1~\nST*837*1~\n", { fileName: "noisa.837" });
    expect(r.units).toEqual([]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.message).toMatch(
      /^noisa\.837 line 1: expected an X12 interchange header \(ISA\) at the start of the file, found "GS\*HC/,
    );
  });

  it("still reads an ISA that is not fixed width, with a warning naming the element", () => {
    const isa = ISA_5010.replace("*00*          *00*", "*00*         *00*");
    const text = interchange(isa, GS_835, [
      transaction("835", "0001", remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1"]] })),
    ]);
    const r = parseX12(text, { fileName: "width.835" });
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ severity: "warning", where: { line: 1, segment: "ISA", field: "ISA02" } });
    expect(errors(r.units[0]!)).toEqual([]);
  });

  it("names the line and the bad segment id", () => {
    const body = remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1", "Nd4*CITY*ST*12345"]] });
    const r = parseX12(interchange(ISA_5010, GS_835, [transaction("835", "0001", body)]), { fileName: "segid.835" });
    const e = errors(r.units[0]!);
    expect(e).toHaveLength(1);
    expect(e[0]!.message).toBe(
      `segid.835 line 10, Nd4: expected a segment id (2–3 capital letters or digits, starting with a letter), found "Nd4"`,
    );
  });

  it("says which element holds a bad amount, and what it found", () => {
    const body = remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*12,50*0*12*ICN1"]] });
    const r = parseX12(interchange(ISA_5010, GS_835, [transaction("835", "0001", body)]), { fileName: "remit.835" });
    const e = errors(r.units[0]!);
    expect(e.map((i) => i.message)).toEqual([`remit.835 line 9, CLP04: expected a decimal amount, found "12,50"`]);
    expect(e[0]).toMatchObject({ where: { file: "remit.835", line: 9, segment: "CLP", field: "CLP04" }, found: "12,50" });
  });

  it("keeps unmapped transaction sets as units with no records and a warning", () => {
    const isa = "ISA*00*          *00*          *ZZ*CLEARING       *ZZ*GENHOSP        *240105*1200*^*00501*000000301*0*P*:~";
    const gs = "GS*HN*CLEARING*GENHOSP*20240105*1200*301*X*005010X214";
    const r = parseX12(interchange(isa, gs, [transaction("277", "0001", ["BHT*0085*08*1*20240105*1200*TH"], "005010X214")]), {
      fileName: "ack.277",
    });
    expect(r.units).toHaveLength(1);
    expect(r.units[0]!.records).toEqual([]);
    expect(r.units[0]!.issues).toHaveLength(1);
    expect(r.units[0]!.issues[0]).toMatchObject({ severity: "warning", code: "x12.not-mapped" });
    expect(r.units[0]!.issues[0]!.message).toContain("not mapped: 277");
  });

  it("warns when a file repeats a transaction set's control numbers", () => {
    const tx = transaction("835", "0001", remitBody({ bpr: "10.00", claims: [["CLP*C1*1*10*10*0*12*ICN1"]] }));
    const once = interchange(ISA_5010, GS_835, [tx]);
    const r = parseX12(once + once, { fileName: "twice.835" });
    expect(r.units).toHaveLength(2);
    expect(r.units[1]!.issues.map((i) => i.code)).toEqual(["x12.duplicate-control"]);
    expect(r.units[1]!.controlId).toBe(r.units[0]!.controlId);
  });

  it("never throws, whatever the input", () => {
    const sample = readFileSync(join(process.cwd(), "fixtures/samples/x12/remit-balanced.835"), "utf8");
    const inputs = [
      "",
      "   ",
      "ISA",
      "ISA*",
      "ISA*00*",
      "~~~~",
      "\u0000\u0000",
      "ISA*00*          *00*          *ZZ*X",
      sample.slice(0, 200),
    ];
    for (let cut = 0; cut < sample.length; cut += 37) inputs.push(sample.slice(0, cut), sample.slice(cut));
    for (const text of inputs) {
      expect(() => parseX12(text, { fileName: "fuzz" })).not.toThrow();
    }
  });
});

describe("X12 amounts", () => {
  it("reads every amount exactly as parseDecimalToCents does (the fast path changes nothing)", () => {
    const ctx = { fileName: "f", issues: [] } as unknown as X12TransactionContext;
    const samples = [
      "0",
      "1",
      "-1",
      "12.5",
      "12.50",
      "-0.07",
      ".5",
      "5.",
      "-",
      "",
      "1.234",
      "1.230",
      "12,50",
      "+12",
      "12-",
      " 12",
      "999999999999.99",
      "1e5",
      "-.5",
      "00012.30",
      "-0",
      "12.5.1",
    ];
    let seed = 7;
    for (let k = 0; k < 500; k++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      samples.push(`${seed % 3 === 0 ? "-" : ""}${seed % 100000}${seed % 2 === 0 ? `.${seed % 100}` : ""}`);
    }
    for (const s of samples) {
      const want = parseDecimalToCents(s);
      expect([s, requiredAmount(ctx, { elements: ["CLP", s], line: 1 }, 1)]).toEqual([s, want.ok && s.trim() !== "" ? want.cents : null]);
    }
  });
});

describe("835 remittance mapping", () => {
  it("maps BPR, TRN and N1 to the payment and marks it balanced when BPR02 = ΣCLP04 − ΣPLB", () => {
    const body = remitBody({
      bpr: "90.00",
      claims: [
        ["CLP*C1*1*100*80*0*12*ICN1", "CAS*CO*45*20"],
        ["CLP*C2*1*50*30*0*12*ICN2", "CAS*CO*45*20"],
      ],
      plb: ["PLB*1234567893*20241231*WO:C0 20231001*25.00*L6:INT*-5.00"],
    });
    const r = parseX12(interchange(ISA_5010, GS_835, [transaction("835", "0001", body)]), { fileName: "bal.835" });
    const u = r.units[0]!;
    expect(u.issues).toEqual([]);
    expect(records(u, "remittancePayment")).toEqual([
      {
        type: "remittancePayment",
        system: "payer",
        traceNumber: "EFT0001",
        payerIdentifier: "1512345678",
        payerName: "ACME HEALTH PLAN",
        payeeNpi: "1234567893",
        payeeName: "GENERAL HOSPITAL",
        amountCents: 9000,
        creditDebit: "C",
        paymentMethod: "ACH",
        paymentDate: "2024-01-05",
        balanced: true,
      },
    ]);
    // Positive PLB (WO recovery) reduces the payment; negative (L6 interest) adds to it: 110 − (25 − 5) = 90.
    expect(records(u, "providerAdjustment").map((p) => [p.reasonCode, p.reference, p.amountCents, p.sequence, p.fiscalPeriodDate])).toEqual(
      [
        ["WO", "C0 20231001", 2500, 0, "2024-12-31"],
        ["L6", "INT", -500, 1, "2024-12-31"],
      ],
    );
  });

  it("loads an unbalanced 835 flagged, with a warning giving BPR02 and ΣCLP04 − ΣPLB", () => {
    const body = remitBody({
      bpr: "100.00",
      claims: [["CLP*C1*1*100*80*0*12*ICN1", "CAS*CO*45*20"]],
      plb: ["PLB*1234567893*20241231*WO:X*5.00"],
    });
    const r = parseX12(interchange(ISA_5010, GS_835, [transaction("835", "0001", body)]), { fileName: "unbal.835" });
    const u = r.units[0]!;
    expect(errors(u)).toEqual([]);
    expect(records(u, "remittancePayment")[0]!.balanced).toBe(false);
    expect(u.issues).toHaveLength(1);
    expect(u.issues[0]).toMatchObject({
      severity: "warning",
      code: "x12.835.unbalanced",
      where: { line: 4, field: "BPR02" },
      expected: "75.00",
      found: "100.00",
    });
    expect(u.issues[0]!.message).toBe(
      "unbal.835 line 4, BPR02: transaction 0001 does not balance: BPR02 = 100.00 but ΣCLP04 − ΣPLB = 80.00 − 5.00 = 75.00 (BPR02 is off by 25.00)",
    );
  });

  it("keeps reversal amounts negative (CLP02 = 22) and still balances", () => {
    const body = remitBody({
      bpr: "-20.00",
      claims: [
        ["CLP*C1*22*-100*-80*0*12*ICN1", "CAS*CO*45*-20", "SVC*HC:99213*-100*-80**-1"],
        ["CLP*C1*1*100*60*0*12*ICN1", "CAS*CO*45*40", "SVC*HC:99213*100*60**1"],
      ],
    });
    const r = parseX12(interchange(ISA_5010, GS_835, [transaction("835", "0001", body)]), { fileName: "rev.835" });
    const u = r.units[0]!;
    expect(u.issues).toEqual([]);
    const claims = records(u, "claimPayment");
    expect(claims.map((c: ClaimPayment) => [c.statusCode, c.chargeCents, c.paidCents, c.sequence])).toEqual([
      ["22", -10000, -8000, 0],
      ["1", 10000, 6000, 1],
    ]);
    expect(records(u, "servicePayment")[0]).toMatchObject({ chargeCents: -10000, paidCents: -8000, units: -1 });
    expect(records(u, "remittanceAdjustment")[0]).toMatchObject({ amountCents: -2000, claimSequence: 0 });
    expect(records(u, "remittancePayment")[0]!.balanced).toBe(true);
  });

  it("reads a debit ERA (BPR03 = D) as a negative payment, balanced against its recoupments", () => {
    const body = remitBody({
      bpr: "100.00",
      claims: [["CLP*C1*22*-100*-100*0*12*ICN1", "SVC*HC:99213*-100*-100**-1"]],
    }).map((s) => (s.startsWith("BPR*") ? s.replace("*100.00*C*ACH*", "*100.00*D*ACH*") : s));
    const r = parseX12(interchange(ISA_5010, GS_835, [transaction("835", "0001", body)]), { fileName: "debit.835" });
    const u = r.units[0]!;
    expect(u.issues).toEqual([]);
    expect(records(u, "remittancePayment")[0]).toMatchObject({ creditDebit: "D", amountCents: -10000, balanced: true });
  });

  it("splits CAS into up to six triplets, at claim or service level", () => {
    const body = remitBody({
      bpr: "40.00",
      claims: [
        [
          "CLP*C1*1*100*40*30*12*ICN1",
          "CAS*PR*1*10**2*20*1",
          "SVC*HC:99213:25:59*100*40**1",
          "DTM*472*20231201",
          "CAS*CO*45*25*1*253*5**97*0",
          "REF*6R*LINE1",
        ],
      ],
    });
    const r = parseX12(interchange(ISA_5010, GS_835, [transaction("835", "0001", body)]), { fileName: "cas.835" });
    const u = r.units[0]!;
    expect(u.issues).toEqual([]);
    expect(
      records(u, "remittanceAdjustment").map((a) => [a.groupCode, a.reasonCode, a.amountCents, a.quantity, a.serviceSequence]),
    ).toEqual([
      ["PR", "1", 1000, null, null],
      ["PR", "2", 2000, 1, null],
      ["CO", "45", 2500, 1, 0],
      ["CO", "253", 500, null, 0],
      ["CO", "97", 0, null, 0],
    ]);
    expect(records(u, "servicePayment")[0]).toMatchObject({
      procedureCode: "99213",
      lineControl: "LINE1",
      serviceDate: "2023-12-01",
      chargeCents: 10000,
      paidCents: 4000,
    });
  });

  it("warns when CLP04 ≠ CLP03 − ΣCAS, without quarantining", () => {
    const body = remitBody({ bpr: "80.00", claims: [["CLP*C1*1*100*80*0*12*ICN1", "CAS*CO*45*15"]] });
    const r = parseX12(interchange(ISA_5010, GS_835, [transaction("835", "0001", body)]), { fileName: "clp.835" });
    const u = r.units[0]!;
    expect(errors(u)).toEqual([]);
    expect(u.issues.map((i) => i.message)).toEqual([
      "clp.835 line 9, CLP04: claim C1 pays 80.00 but CLP03 − ΣCAS = 100.00 − 15.00 = 85.00",
    ]);
  });

  it("reads NU revenue codes, SVC04 and 4010 six-digit DTM dates", () => {
    const gs = "GS*HP*ACMEPAYER*GENHOSP*20240105*1200*102*X*004010X091A1";
    const body = [
      "BPR*C*50.00*C*CHK************20240105",
      "TRN*1*CHK1*1999999999",
      "CLP*C1*1*50*50*0*MC*ICN1",
      "SVC*NU:0450*30*30",
      "DTM*472*231201",
      "SVC*HC:99213*20*20*0510*1",
    ];
    const r = parseX12(interchange(ISA_4010, gs, [transaction("835", "0001", body)]), { fileName: "v4010.835" });
    const svc = records(r.units[0]!, "servicePayment");
    expect(svc.map((s) => [s.procedureCode, s.revenueCode, s.serviceDate, s.units])).toEqual([
      [null, "0450", "2023-12-01", null],
      ["99213", "0510", null, 1],
    ]);
    expect(records(r.units[0]!, "remittancePayment")[0]).toMatchObject({ paymentMethod: "CHK", balanced: true });
  });
});

describe("837 claim mapping", () => {
  const GS_P = "GS*HC*GENHOSP*ACME01*20240102*0800*303*X*005010X222A1";
  const header = [
    "BHT*0019*00*B1*20240102*0800*CH",
    "HL*1**20*1",
    "NM1*85*2*GROUP*****XX*1234567893",
    "HL*2*1*22*0",
    "SBR*P*18*******CI",
    "NM1*PR*2*ACME HEALTH PLAN*****PI*ACME01",
  ];

  it("maps 837P claims and SV1 lines, keeping the 2010BB payer over a COB payer in loop 2330B", () => {
    const body = [
      ...header,
      "CLM*PCN1*150***11:B:7*Y*A*Y*Y",
      "REF*EA*MRN1",
      "SBR*S*18*******CI",
      "NM1*PR*2*OTHER PAYER*****PI*OTHER",
      "LX*1",
      "SV1*HC:99213:25:59*100*UN*1***1",
      "DTP*472*D8*20231201",
      "REF*6R*L1",
      "LX*2",
      "SV1*HC:87880*50*UN*2***1",
      "DTP*472*RD8*20231202-20231203",
    ];
    const r = parseX12(interchange(ISA_5010, GS_P, [transaction("837", "0001", body, "005010X222A1")]), { fileName: "p.837" });
    const u = r.units[0]!;
    expect(u.issues).toEqual([]);
    expect(records(u, "claim")).toEqual([
      {
        type: "claim",
        system: "billing",
        claimId: "PCN1",
        kind: "professional",
        accountNumber: "PCN1",
        payerId: "ACME01",
        payerName: "ACME HEALTH PLAN",
        billingNpi: "1234567893",
        totalChargeCents: 15000,
        frequencyCode: "7",
        serviceFrom: "2023-12-01",
        serviceTo: "2023-12-03",
        interchangeRef: "000000101/303/0001",
      },
    ]);
    expect(
      records(u, "claimLine").map((l) => [
        l.lineNumber,
        l.procedureCode,
        l.modifiers,
        l.revenueCode,
        l.chargeCents,
        l.units,
        l.serviceDate,
        l.lineControl,
      ]),
    ).toEqual([
      [1, "99213", "25:59", null, 10000, 1, "2023-12-01", "L1"],
      [2, "87880", null, null, 5000, 2, "2023-12-02", null],
    ]);
  });

  it("maps 837I claims and SV2 lines with the DTP*434 statement period", () => {
    const gs = "GS*HC*GENHOSP*ACME01*20240102*0800*303*X*005010X222"; // GS08 says X222; ST03 (X223) wins
    const body = [
      ...header,
      "CLM*HAR1*1250***13:A:1**A*Y*Y",
      "DTP*434*RD8*20231201-20231203",
      "LX*1",
      "SV2*0450*HC:99284:25*750*UN*1",
      "DTP*472*D8*20231201",
      "LX*2",
      "SV2*0300**500*UN*2",
    ];
    const r = parseX12(interchange(ISA_5010, gs, [transaction("837", "0002", body, "005010X223A2")]), { fileName: "i.837" });
    const u = r.units[0]!;
    expect(u.issues).toEqual([]);
    expect(records(u, "claim")[0]).toMatchObject({
      claimId: "HAR1",
      kind: "institutional",
      totalChargeCents: 125000,
      serviceFrom: "2023-12-01",
      serviceTo: "2023-12-03",
      frequencyCode: "1",
    });
    expect(records(u, "claimLine").map((l) => [l.revenueCode, l.procedureCode, l.modifiers, l.chargeCents, l.units])).toEqual([
      ["0450", "99284", "25", 75000, 1],
      ["0300", null, null, 50000, 2],
    ]);
  });

  it("reads the kind from 4010 guides (X098 professional, X096 institutional) and from the lines when the envelope says nothing", () => {
    const mk = (gs08: string, line: string) =>
      parseX12(
        interchange(ISA_4010, `GS*HC*GENHOSP*ACME01*20240102*0800*303*X*${gs08}`, [
          transaction("837", "0001", [...header, "CLM*C1*10***11::1", "LX*1", line]),
        ]),
        { fileName: "k.837" },
      );
    const claimOf = (r: ReturnType<typeof parseX12>) => records(r.units[0]!, "claim")[0]!;
    expect(claimOf(mk("004010X098A1", "SV1*HC:99213*10*UN*1")).kind).toBe("professional");
    expect(claimOf(mk("004010X096A1", "SV2*0450**10*UN*1")).kind).toBe("institutional");
    expect(claimOf(mk("999999X999X9", "SV2*0450**10*UN*1")).kind).toBe("institutional");
    expect(claimOf(mk("999999X999X9", "SV1*HC:99213*10*UN*1")).kind).toBe("professional");
    const conflict = mk("004010X098A1", "SV2*0450**10*UN*1");
    expect(claimOf(conflict).kind).toBe("institutional");
    expect(conflict.units[0]!.issues.map((i) => i.code)).toEqual(["x12.837.kind"]);
  });

  it("warns when CLM02 is not the sum of the line charges", () => {
    const body = [...header, "CLM*C1*500***11:B:1", "LX*1", "SV1*HC:99213*12.25*UN*1"];
    const r = parseX12(interchange(ISA_5010, GS_P, [transaction("837", "0001", body, "005010X222A1")]), { fileName: "sum.837" });
    expect(r.units[0]!.issues.map((i) => i.message)).toEqual([
      "sum.837 line 10, CLM02: claim C1 totals 500.00 but its 1 line sum to 12.25",
    ]);
  });
});

describe("X12 fixtures", () => {
  const fixture = (name: string) => {
    const path = join(process.cwd(), "fixtures/samples/x12", name);
    return parseX12(readFileSync(path, "utf8"), { fileName: name });
  };

  it("remit-balanced.835: balanced, with a reversal and PLB both ways", () => {
    const r = fixture("remit-balanced.835");
    expect(r.format).toBe("x12-835");
    expect(r.issues).toEqual([]);
    const u = r.units[0]!;
    expect(u.issues).toEqual([]);
    expect(records(u, "remittancePayment")[0]).toMatchObject({ amountCents: 81000, traceNumber: "EFT20240105001", balanced: true });
    expect(records(u, "claimPayment").map((c) => c.statusCode)).toEqual(["1", "22", "1"]);
    expect(records(u, "providerAdjustment").map((p) => p.amountCents)).toEqual([-1000, 5000]);
  });

  it("remit-unbalanced.835 (4010, '|' elements, no line breaks): loaded, flagged", () => {
    const r = fixture("remit-unbalanced.835");
    expect(r.issues).toEqual([]);
    const u = r.units[0]!;
    expect(errors(u)).toEqual([]);
    expect(records(u, "remittancePayment")[0]!.balanced).toBe(false);
    expect(u.issues.map((i) => i.code)).toEqual(["x12.835.unbalanced"]);
  });

  it("claims-professional.837 and claims-institutional.837 map cleanly", () => {
    const p = fixture("claims-professional.837");
    expect(p.units[0]!.issues).toEqual([]);
    expect(records(p.units[0]!, "claim").map((c) => [c.claimId, c.kind, c.payerId])).toEqual([
      ["PCN1001", "professional", "ACME01"],
      ["PCN1003", "professional", "ACME01"],
    ]);
    expect(records(p.units[0]!, "claimLine")).toHaveLength(3);
    const i = fixture("claims-institutional.837");
    expect(i.issues).toEqual([]);
    expect(i.units[0]!.issues).toEqual([]);
    expect(records(i.units[0]!, "claim")[0]).toMatchObject({ kind: "institutional", billingNpi: "1987654320" });
    expect(records(i.units[0]!, "claimLine").map((l) => l.revenueCode)).toEqual(["0450", "0300"]);
  });

  it("malformed.837: quarantined with readable reasons, and the file's envelope error reported", () => {
    const r = fixture("malformed.837");
    expect(r.issues.map((i) => i.where.field)).toEqual(["GE01"]);
    expect(errors(r.units[0]!).map((i) => i.message)).toEqual([
      `malformed.837 line 9, CLM02: expected a decimal amount, found "12,50"`,
      `malformed.837 line 11, Sv1: expected a segment id (2–3 capital letters or digits, starting with a letter), found "Sv1"`,
      `malformed.837 line 13, SE01: expected the number of segments from ST to SE, 11, found "9"`,
    ]);
  });
});
