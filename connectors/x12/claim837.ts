/**
 * 837 health care claim (professional X222/X098, institutional X223/X096) → claim and
 * claimLine. One instance per ST..SE.
 *
 * Loops we follow: 2000A (HL*..*20) billing provider, 2010AA NM1*85 billing NPI;
 * 2000B (HL*..*22) subscriber, 2010BB NM1*PR payer; 2300 CLM claim; 2400 LX service
 * line with SV1 (professional) or SV2 (institutional). NM1*PR after a CLM belongs to
 * loop 2330B (another payer, coordination of benefits) and does not change the claim's payer.
 *
 * accountNumber: CLM01, the patient control number, which the TR3 defines as the
 * provider's own account number for the claim and which the payer echoes as CLP01.
 * REF*EA is the medical record number (the EHR's MRN, PID-3), not the billing account
 * (PID-18), so it is not used as the account; the model has no MRN field on a claim yet.
 */
import type { Claim, ClaimKind, ClaimLine } from "../../src-shared/model";
import { centsToDecimal } from "../../src-shared/money";
import {
  dtpPeriod,
  guideKind,
  pushIssue,
  requiredAmount,
  optionalQuantity,
  type X12Segment,
  type X12TransactionContext,
  type X12TransactionMapper,
} from "./x12Context";

interface OpenClaim {
  record: Claim;
  line: number;
  declaredFrom: string | null;
  declaredTo: string | null;
  lineFrom: string | null;
  lineTo: string | null;
  hasSv1: boolean;
  hasSv2: boolean;
  lineChargeCents: number;
  lineCount: number;
  facilityQualifier: string | null;
  totalKnown: boolean;
}

export class Claim837Mapper implements X12TransactionMapper {
  private readonly ctx: X12TransactionContext;
  /** The kind the envelope declares (ST03, else GS08, else 4010 REF*87), when it names a guide. */
  private declared: ClaimKind | null = null;
  private declaredFrom = "";
  private billingNpi: string | null = null;
  private payerId: string | null = null;
  private payerName: string | null = null;
  private hlLevel = "";
  private claim: OpenClaim | null = null;
  private line: ClaimLine | null = null;
  private pendingLineNumber: number | null = null;

  constructor(ctx: X12TransactionContext) {
    this.ctx = ctx;
    for (const [source, value] of [
      ["ST03", ctx.st[3]],
      ["GS08", ctx.gs?.[8]],
    ] as const) {
      const kind = value ? guideKind(value) : null;
      if (kind === "professional" || kind === "institutional") {
        this.declared = kind;
        this.declaredFrom = `${source} ${value}`;
        break;
      }
    }
  }

  segment(seg: X12Segment): void {
    const e = seg.elements;
    switch (e[0]) {
      case "HL":
        this.closeClaim();
        this.hlLevel = e[3] ?? "";
        if (this.hlLevel === "20") {
          this.billingNpi = null;
          this.payerId = null;
          this.payerName = null;
        } else if (this.hlLevel === "22") {
          this.payerId = null;
          this.payerName = null;
        }
        break;
      case "NM1":
        if (this.claim !== null) break;
        if (e[1] === "85" && this.hlLevel === "20") {
          // NM108 XX = NPI (both 4010 and 5010); 4010 may instead carry an EIN (24) or SSN (34).
          this.billingNpi = e[8] === "XX" ? nonEmpty(e[9]) : null;
        } else if (e[1] === "PR") {
          this.payerName = nonEmpty(e[3]);
          this.payerId = nonEmpty(e[9]);
        }
        break;
      case "REF":
        if (e[1] === "6R" && this.line !== null) this.line.lineControl = nonEmpty(e[2]);
        else if (e[1] === "87" && this.declared === null && this.hlLevel === "") {
          // 4010 carries the guide in REF*87 after BHT.
          const kind = guideKind(e[2] ?? "");
          if (kind === "professional" || kind === "institutional") {
            this.declared = kind;
            this.declaredFrom = `REF*87 ${e[2]}`;
          }
        }
        break;
      case "CLM":
        this.openClaim(seg);
        break;
      case "DTP":
        this.date(seg);
        break;
      case "LX":
        this.line = null;
        if (this.claim !== null) {
          const n = Number((e[1] ?? "").trim());
          this.pendingLineNumber = Number.isSafeInteger(n) && n > 0 ? n : null;
        }
        break;
      case "SV1":
        this.openLine(seg, "professional");
        break;
      case "SV2":
        this.openLine(seg, "institutional");
        break;
      default:
        break;
    }
  }

  private openClaim(seg: X12Segment): void {
    this.closeClaim();
    const e = seg.elements;
    const claimId = (e[1] ?? "").trim();
    if (claimId === "") {
      pushIssue(
        this.ctx,
        "error",
        "x12.required",
        seg.line,
        "CLM",
        "CLM01",
        "expected the patient control number, found nothing",
        "a patient control number",
        "",
      );
    }
    const total = requiredAmount(this.ctx, seg, 2);
    const clm05 = (e[5] ?? "").split(this.ctx.separators.component);
    const record: Claim = {
      type: "claim",
      system: "billing",
      claimId,
      kind: "professional",
      accountNumber: claimId === "" ? null : claimId,
      payerId: this.payerId,
      payerName: this.payerName,
      billingNpi: this.billingNpi,
      totalChargeCents: total ?? 0,
      frequencyCode: nonEmpty(clm05[2]),
      serviceFrom: null,
      serviceTo: null,
      interchangeRef: this.ctx.interchangeRef,
    };
    // Keep the claim ahead of its lines in the record list; fields are completed in closeClaim.
    if (claimId !== "" && total !== null) this.ctx.records.push(record);
    this.claim = {
      record,
      line: seg.line,
      declaredFrom: null,
      declaredTo: null,
      lineFrom: null,
      lineTo: null,
      hasSv1: false,
      hasSv2: false,
      lineChargeCents: 0,
      lineCount: 0,
      facilityQualifier: nonEmpty(clm05[1]),
      totalKnown: total !== null,
    };
    this.line = null;
    this.pendingLineNumber = null;
  }

  private date(seg: X12Segment): void {
    const c = this.claim;
    if (c === null) return;
    const qualifier = seg.elements[1];
    if (qualifier === "472") {
      const period = dtpPeriod(this.ctx, seg, 2);
      if (period === null) return;
      if (this.line !== null) {
        this.line.serviceDate = period[0];
        if (c.lineFrom === null || period[0] < c.lineFrom) c.lineFrom = period[0];
        if (c.lineTo === null || period[1] > c.lineTo) c.lineTo = period[1];
      } else if (c.declaredFrom === null) {
        // 2300 DTP*472 (a claim-level service date some senders use).
        c.declaredFrom = period[0];
        c.declaredTo = period[1];
      }
    } else if (qualifier === "434" && this.line === null) {
      // 837I statement covers period (loop 2300).
      const period = dtpPeriod(this.ctx, seg, 2);
      if (period === null) return;
      c.declaredFrom = period[0];
      c.declaredTo = period[1];
    }
  }

  private openLine(seg: X12Segment, kind: ClaimKind): void {
    const c = this.claim;
    const e = seg.elements;
    const id = e[0]!;
    if (c === null) {
      pushIssue(
        this.ctx,
        "error",
        "x12.structure",
        seg.line,
        id,
        null,
        `expected ${id} inside a claim (loop 2400 sits inside loop 2300), found it before any CLM`,
      );
      return;
    }
    if (kind === "professional") c.hasSv1 = true;
    else c.hasSv2 = true;
    const lineNumber = this.pendingLineNumber ?? c.lineCount + 1;
    this.pendingLineNumber = null;
    c.lineCount++;
    // SV1: 01 HC:code:mod1..mod4, 02 charge, 04 units. SV2: 01 revenue code, 02 HC:code:mods, 03 charge, 05 units.
    const procedureIndex = kind === "professional" ? 1 : 2;
    const chargeIndex = kind === "professional" ? 2 : 3;
    const unitsIndex = kind === "professional" ? 4 : 5;
    const composite = (e[procedureIndex] ?? "").split(this.ctx.separators.component);
    const procedureCode = nonEmpty(composite[1]);
    const modifiers: string[] = [];
    for (let i = 2; i <= 5; i++) {
      const m = nonEmpty(composite[i]);
      if (m !== null) modifiers.push(m);
    }
    const revenueCode = kind === "institutional" ? nonEmpty(e[1]) : null;
    if (kind === "professional" && procedureCode === null) {
      pushIssue(
        this.ctx,
        "error",
        "x12.required",
        seg.line,
        id,
        "SV101-2",
        "expected a procedure code, found nothing",
        "a procedure code",
        e[1] ?? "",
      );
    }
    if (kind === "institutional" && revenueCode === null) {
      pushIssue(this.ctx, "error", "x12.required", seg.line, id, "SV201", "expected a revenue code, found nothing", "a revenue code", "");
    }
    const charge = requiredAmount(this.ctx, seg, chargeIndex);
    if (charge === null) {
      this.line = null;
      return;
    }
    c.lineChargeCents += charge;
    const record: ClaimLine = {
      type: "claimLine",
      system: "billing",
      claimId: c.record.claimId,
      lineNumber,
      procedureCode,
      modifiers: modifiers.length > 0 ? modifiers.join(":") : null,
      revenueCode,
      chargeCents: charge,
      units: optionalQuantity(this.ctx, seg, unitsIndex),
      serviceDate: null,
      lineControl: null,
    };
    this.ctx.records.push(record);
    this.line = record;
  }

  private closeClaim(): void {
    const c = this.claim;
    this.claim = null;
    this.line = null;
    if (c === null) return;
    const r = c.record;
    r.serviceFrom = c.declaredFrom ?? c.lineFrom;
    r.serviceTo = c.declaredTo ?? c.lineTo;
    const fromLines: ClaimKind | null = c.hasSv2 ? "institutional" : c.hasSv1 ? "professional" : null;
    if (c.hasSv1 && c.hasSv2) {
      pushIssue(
        this.ctx,
        "warning",
        "x12.837.kind",
        c.line,
        "CLM",
        null,
        `claim ${r.claimId} has both SV1 (professional) and SV2 (institutional) lines; read as institutional`,
      );
    }
    if (fromLines !== null) {
      if (this.declared !== null && this.declared !== fromLines) {
        pushIssue(
          this.ctx,
          "warning",
          "x12.837.kind",
          c.line,
          "CLM",
          null,
          `claim ${r.claimId} has ${fromLines === "institutional" ? "SV2 (institutional)" : "SV1 (professional)"} lines but the envelope declares ${this.declared} (${this.declaredFrom}); read as ${fromLines}`,
          this.declared,
          fromLines,
        );
      }
      r.kind = fromLines;
    } else if (this.declared !== null) {
      r.kind = this.declared;
    } else if (c.facilityQualifier === "A" || c.facilityQualifier === "B") {
      // CLM05-2: A = UB bill type (institutional), B = place of service (professional).
      r.kind = c.facilityQualifier === "A" ? "institutional" : "professional";
    } else {
      pushIssue(
        this.ctx,
        "warning",
        "x12.837.kind",
        c.line,
        "CLM",
        null,
        `claim ${r.claimId}: neither the envelope nor the service lines say professional or institutional; read as professional`,
      );
      r.kind = "professional";
    }
    // 837: CLM02 = ΣSV1-02 / ΣSV2-03 (STANDARDS B2). A warning: the claim still loads.
    if (c.totalKnown && c.lineCount > 0 && c.lineChargeCents !== r.totalChargeCents) {
      pushIssue(
        this.ctx,
        "warning",
        "x12.837.charge-total",
        c.line,
        "CLM",
        "CLM02",
        `claim ${r.claimId} totals ${centsToDecimal(r.totalChargeCents)} but its ${c.lineCount} line${c.lineCount === 1 ? "" : "s"} sum to ${centsToDecimal(c.lineChargeCents)}`,
        centsToDecimal(c.lineChargeCents),
        centsToDecimal(r.totalChargeCents),
      );
    }
  }

  finish(): void {
    this.closeClaim();
  }
}

function nonEmpty(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  return t === "" ? null : t;
}
