/**
 * 835 health care claim payment/advice → remittancePayment, claimPayment, servicePayment,
 * remittanceAdjustment, providerAdjustment. One instance per ST..SE.
 *
 * Balancing (X12 005010X221A1 §1.10.2, paywalled; see STANDARDS B2):
 *   BPR02 = ΣCLP04 − ΣPLB amounts (a positive PLB amount reduces the payment);
 *   CLP04 = CLP03 − Σ CAS amounts of the claim and its service lines.
 * A transaction that fails the first is loaded with `balanced: false` and a warning (the
 * payment is real money whatever its arithmetic; the mismatch is for the analyst). The second
 * is a warning per claim for the same reason.
 */
import type { ClaimPayment, ProviderAdjustment, RemittanceAdjustment, RemittancePayment, ServicePayment } from "../../src-shared/model";
import { centsToDecimal } from "../../src-shared/money";
import {
  elementRef,
  optionalAmount,
  optionalDate,
  optionalQuantity,
  pushIssue,
  requiredAmount,
  shownAmount,
  type X12Segment,
  type X12TransactionContext,
  type X12TransactionMapper,
} from "./x12Context";

const CAS_GROUPS = new Set(["CO", "PR", "OA", "PI", "CR"]);

interface OpenClaim {
  record: ClaimPayment | null;
  line: number;
  claimId: string;
  sequence: number;
  chargeCents: number | null;
  paidCents: number | null;
  adjustmentCents: number;
  serviceCount: number;
}

export class Remittance835Mapper implements X12TransactionMapper {
  private readonly ctx: X12TransactionContext;
  private payment: RemittancePayment | null = null;
  private bprLine = 0;
  private bprAmount: number | null = null;
  private traceSeen = false;
  private claim: OpenClaim | null = null;
  private service: ServicePayment | null = null;
  private claimCount = 0;
  private plbCount = 0;
  private sumClpPaid = 0;
  private sumPlb = 0;
  private firstTrackedRecord: number;

  constructor(ctx: X12TransactionContext) {
    this.ctx = ctx;
    this.firstTrackedRecord = ctx.records.length;
  }

  private ensurePayment(): RemittancePayment {
    if (this.payment === null) {
      this.payment = {
        type: "remittancePayment",
        system: "payer",
        traceNumber: "",
        payerIdentifier: null,
        payerName: null,
        payeeNpi: null,
        payeeName: null,
        amountCents: 0,
        creditDebit: null,
        paymentMethod: null,
        paymentDate: null,
        balanced: false,
      };
      this.ctx.records.push(this.payment);
    }
    return this.payment;
  }

  segment(seg: X12Segment): void {
    const e = seg.elements;
    switch (e[0]) {
      case "BPR": {
        const p = this.ensurePayment();
        this.bprLine = seg.line;
        p.creditDebit = nonEmpty(e[3]);
        // BPR03 "D": the amount is a debit to the provider's account (money goes back to the
        // payer), so the payment is negative, as the bank shows it and as ΣCLP04 − ΣPLB adds up.
        const amount = requiredAmount(this.ctx, seg, 2);
        this.bprAmount = amount !== null && p.creditDebit === "D" ? -amount : amount;
        p.amountCents = this.bprAmount ?? 0;
        p.paymentMethod = nonEmpty(e[4]);
        p.paymentDate = optionalDate(this.ctx, seg, 16);
        break;
      }
      case "TRN": {
        const p = this.ensurePayment();
        const trace = (e[2] ?? "").trim();
        if (trace === "") {
          pushIssue(
            this.ctx,
            "error",
            "x12.required",
            seg.line,
            "TRN",
            "TRN02",
            "expected the check or EFT trace number, found nothing",
            "a trace number",
            "",
          );
        } else if (!this.traceSeen) {
          p.traceNumber = trace;
          p.payerIdentifier = nonEmpty(e[3]);
          this.traceSeen = true;
        }
        break;
      }
      case "N1": {
        // Loop 1000A payer (N1*PR) and 1000B payee (N1*PE); N103 "XX" marks an NPI.
        const p = this.ensurePayment();
        if (e[1] === "PR") p.payerName = nonEmpty(e[2]);
        else if (e[1] === "PE") {
          p.payeeName = nonEmpty(e[2]);
          if (e[3] === "XX") p.payeeNpi = nonEmpty(e[4]);
        }
        break;
      }
      case "CLP":
        this.openClaim(seg);
        break;
      case "SVC":
        this.openService(seg);
        break;
      case "CAS":
        this.adjustments(seg);
        break;
      case "REF":
        if (this.service !== null && e[1] === "6R") this.service.lineControl = nonEmpty(e[2]);
        break;
      case "DTM":
        if (this.service !== null) {
          // 472 service date; 150 service period start (4010 and 5010 period form).
          if (e[1] === "472" || (e[1] === "150" && this.service.serviceDate === null)) {
            this.service.serviceDate = optionalDate(this.ctx, seg, 2);
          }
        }
        break;
      case "PLB":
        this.closeClaim();
        this.providerAdjustments(seg);
        break;
      default:
        break;
    }
  }

  private openClaim(seg: X12Segment): void {
    this.closeClaim();
    const e = seg.elements;
    const claimId = (e[1] ?? "").trim();
    const sequence = this.claimCount++;
    if (claimId === "") {
      pushIssue(
        this.ctx,
        "error",
        "x12.required",
        seg.line,
        "CLP",
        "CLP01",
        "expected the patient control number, found nothing",
        "a patient control number",
        "",
      );
    }
    const status = (e[2] ?? "").trim();
    if (status === "") {
      pushIssue(
        this.ctx,
        "error",
        "x12.required",
        seg.line,
        "CLP",
        "CLP02",
        "expected a claim status code, found nothing",
        "a claim status code",
        "",
      );
    }
    const charge = requiredAmount(this.ctx, seg, 3);
    const paid = requiredAmount(this.ctx, seg, 4);
    const patientResp = optionalAmount(this.ctx, seg, 5);
    if (paid !== null) this.sumClpPaid += paid;
    let record: ClaimPayment | null = null;
    if (claimId !== "" && status !== "" && charge !== null && paid !== null) {
      record = {
        type: "claimPayment",
        system: "payer",
        traceNumber: "",
        claimId,
        statusCode: status,
        chargeCents: charge,
        paidCents: paid,
        patientResponsibilityCents: patientResp,
        payerClaimControl: nonEmpty(e[7]),
        sequence,
      };
      this.ctx.records.push(record);
    }
    this.claim = { record, line: seg.line, claimId, sequence, chargeCents: charge, paidCents: paid, adjustmentCents: 0, serviceCount: 0 };
  }

  private closeClaim(): void {
    const c = this.claim;
    this.service = null;
    this.claim = null;
    if (c === null || c.chargeCents === null || c.paidCents === null) return;
    // CLP04 = CLP03 − ΣCAS (claim and line level). Warning only: see the file comment.
    const expected = c.chargeCents - c.adjustmentCents;
    if (expected !== c.paidCents) {
      pushIssue(
        this.ctx,
        "warning",
        "x12.835.claim-unbalanced",
        c.line,
        "CLP",
        "CLP04",
        `claim ${c.claimId} pays ${centsToDecimal(c.paidCents)} but CLP03 − ΣCAS = ${centsToDecimal(c.chargeCents)} − ${shownAmount(c.adjustmentCents)} = ${centsToDecimal(expected)}`,
        centsToDecimal(expected),
        centsToDecimal(c.paidCents),
      );
    }
  }

  private openService(seg: X12Segment): void {
    const c = this.claim;
    const e = seg.elements;
    if (c === null) {
      pushIssue(
        this.ctx,
        "error",
        "x12.structure",
        seg.line,
        "SVC",
        null,
        "expected SVC to follow a CLP (loop 2110 sits inside loop 2100), found it before any claim",
      );
      this.service = null;
      return;
    }
    const sequence = c.serviceCount++;
    const composite = (e[1] ?? "").split(this.ctx.separators.component);
    const qualifier = composite[0] ?? "";
    const code = nonEmpty(composite[1]);
    const charge = requiredAmount(this.ctx, seg, 2);
    const paid = requiredAmount(this.ctx, seg, 3);
    if (code === null) {
      pushIssue(
        this.ctx,
        "error",
        "x12.required",
        seg.line,
        "SVC",
        "SVC01-2",
        `expected a procedure or revenue code, found nothing`,
        "a code",
        e[1] ?? "",
      );
    }
    if (charge === null || paid === null || code === null) {
      this.service = null;
      return;
    }
    // SVC01-1 NU = revenue code (institutional); HC (HCPCS/CPT), AD, ER, IV, N4, ZZ... = a procedure code.
    const record: ServicePayment = {
      type: "servicePayment",
      system: "payer",
      traceNumber: "",
      claimId: c.claimId,
      claimSequence: c.sequence,
      sequence,
      procedureCode: qualifier === "NU" ? null : code,
      revenueCode: qualifier === "NU" ? code : nonEmpty(e[4]),
      chargeCents: charge,
      paidCents: paid,
      units: optionalQuantity(this.ctx, seg, 5),
      lineControl: null,
      serviceDate: null,
    };
    this.ctx.records.push(record);
    this.service = record;
  }

  private adjustments(seg: X12Segment): void {
    const c = this.claim;
    const e = seg.elements;
    if (c === null) {
      pushIssue(
        this.ctx,
        "error",
        "x12.structure",
        seg.line,
        "CAS",
        null,
        "expected CAS inside a claim (loop 2100 or 2110), found it before any CLP",
      );
      return;
    }
    const group = (e[1] ?? "").trim();
    if (!CAS_GROUPS.has(group)) {
      pushIssue(
        this.ctx,
        group === "" ? "error" : "warning",
        "x12.835.cas-group",
        seg.line,
        "CAS",
        "CAS01",
        `expected a claim adjustment group code (CO, PR, OA, PI; CR in 4010), found ${group === "" ? "nothing" : `"${group}"`}`,
        "CO, PR, OA, PI or CR",
        group,
      );
      if (group === "") return;
    }
    // Up to six reason/amount/quantity triplets: CAS02-04, 05-07, ... 17-19.
    for (let i = 2; i <= 17; i += 3) {
      const reason = (e[i] ?? "").trim();
      const rawAmount = e[i + 1] ?? "";
      if (reason === "" && rawAmount.trim() === "") continue;
      if (reason === "") {
        pushIssue(
          this.ctx,
          "error",
          "x12.required",
          seg.line,
          "CAS",
          elementRef("CAS", i),
          `expected a claim adjustment reason code before the amount ${rawAmount}, found nothing`,
          "a CARC",
          "",
        );
        continue;
      }
      const amount = requiredAmount(this.ctx, seg, i + 1);
      if (amount === null) continue;
      c.adjustmentCents += amount;
      const record: RemittanceAdjustment = {
        type: "remittanceAdjustment",
        system: "payer",
        traceNumber: "",
        claimId: c.claimId,
        claimSequence: c.sequence,
        serviceSequence: this.service === null ? null : this.service.sequence,
        groupCode: group,
        reasonCode: reason,
        amountCents: amount,
        quantity: optionalQuantity(this.ctx, seg, i + 2),
      };
      this.ctx.records.push(record);
    }
  }

  private providerAdjustments(seg: X12Segment): void {
    const e = seg.elements;
    const providerId = (e[1] ?? "").trim();
    if (providerId === "") {
      pushIssue(
        this.ctx,
        "error",
        "x12.required",
        seg.line,
        "PLB",
        "PLB01",
        "expected the provider identifier, found nothing",
        "a provider identifier",
        "",
      );
    }
    const fiscal = optionalDate(this.ctx, seg, 2);
    // Up to six adjustment pairs: PLB03 (reason:reference) with PLB04, ... PLB13 with PLB14.
    for (let i = 3; i <= 13; i += 2) {
      const composite = e[i] ?? "";
      const rawAmount = e[i + 1] ?? "";
      if (composite.trim() === "" && rawAmount.trim() === "") continue;
      const parts = composite.split(this.ctx.separators.component);
      const reason = (parts[0] ?? "").trim();
      if (reason === "") {
        pushIssue(
          this.ctx,
          "error",
          "x12.required",
          seg.line,
          "PLB",
          elementRef("PLB", i, 1),
          "expected an adjustment reason code, found nothing",
          "a PLB reason code",
          composite,
        );
        continue;
      }
      const amount = requiredAmount(this.ctx, seg, i + 1);
      if (amount === null) continue;
      this.sumPlb += amount;
      const record: ProviderAdjustment = {
        type: "providerAdjustment",
        system: "payer",
        traceNumber: "",
        providerId,
        fiscalPeriodDate: fiscal,
        reasonCode: reason,
        reference: parts.length > 1 ? nonEmpty(parts.slice(1).join(this.ctx.separators.component)) : null,
        amountCents: amount,
        sequence: this.plbCount++,
      };
      this.ctx.records.push(record);
    }
  }

  finish(): void {
    this.closeClaim();
    const st02 = this.ctx.st[2] ?? "";
    const p = this.ensurePayment();
    const missing = (segment: string, what: string) =>
      pushIssue(
        this.ctx,
        "error",
        "x12.required",
        this.ctx.stLine,
        segment,
        null,
        `835 transaction ${st02} has no ${segment} segment (${what})`,
        segment,
        "",
      );
    if (this.bprLine === 0) missing("BPR", "financial information");
    if (!this.traceSeen) missing("TRN", "reassociation trace number");
    // Every record of the transaction carries the trace number (TRN02), known only once TRN is read.
    const trace = p.traceNumber;
    const records = this.ctx.records;
    for (let i = this.firstTrackedRecord; i < records.length; i++) {
      const r = records[i]!;
      if (
        r.type === "claimPayment" ||
        r.type === "servicePayment" ||
        r.type === "remittanceAdjustment" ||
        r.type === "providerAdjustment"
      ) {
        r.traceNumber = trace;
      }
    }
    if (this.bprAmount === null) return;
    // 835 balancing: BPR02 = ΣCLP04 − ΣPLB (X12 005010X221A1, 1.10.2.1). Positive PLB reduces payment.
    const expected = this.sumClpPaid - this.sumPlb;
    p.balanced = expected === this.bprAmount;
    if (!p.balanced) {
      pushIssue(
        this.ctx,
        "warning",
        "x12.835.unbalanced",
        this.bprLine,
        "BPR",
        "BPR02",
        `transaction ${st02} does not balance: BPR02 = ${centsToDecimal(this.bprAmount)} but ΣCLP04 − ΣPLB = ${centsToDecimal(this.sumClpPaid)} − ${shownAmount(this.sumPlb)} = ${centsToDecimal(expected)} (BPR02 is off by ${centsToDecimal(this.bprAmount - expected)})`,
        centsToDecimal(expected),
        centsToDecimal(this.bprAmount),
      );
    }
  }
}

function nonEmpty(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  return t === "" ? null : t;
}
