/**
 * FHIR R4 JSON → canonical records.
 *
 * Input shapes: a Bundle (transaction, batch, collection, searchset, …), a single resource,
 * or Bulk Data NDJSON (one resource per line, https://hl7.org/fhir/uv/bulkdata/). Each
 * resource is one `RawUnit` of kind "fhir-resource":
 * - controlId `${resourceType}/${id}` (+ `/_history/${meta.versionId}` when present), or the
 *   entry's fullUrl when the resource has no id (transaction bundles may use urn:uuid only);
 * - text: the resource's exact JSON text: the NDJSON line (without its line break), or for a
 *   Bundle the exact slice of `entry[i].resource` located by our scanner (jsonScan.ts), so
 *   nothing is re-serialised; for a single-resource file, the whole file minus surrounding
 *   whitespace.
 *
 * What maps to what (decisions are documented next to each mapper below):
 *   Encounter → encounter (+ patientAccount when Encounter.account is present)
 *   Claim → claim + claimLine per item that carries a price
 *   ExplanationOfBenefit → claimPayment + remittanceAdjustment for patient-responsibility
 *     adjudications (deductible PR-1, coinsurance PR-2, copay PR-3) and explicit CARC reasons
 *   ChargeItem → charge; SupplyDelivery → supplyUsage; Practitioner → provider;
 *   Location → location; Organization → payer (type pay/ins) or department (anything else)
 *   Anything else → a unit with no records and a warning "not mapped: <type>".
 *
 * Money: FHIR decimals arrive as JSON numbers, already binary doubles after JSON.parse. We
 * convert through the number's shortest round-trip string (`String(value)`) and
 * `parseDecimalToCents`, never by multiplying floats. Producers that computed amounts in
 * floating point write values like 27.200000000000003; when the 15-significant-digit form of
 * the double has at most two decimals (27.2) we read that and add a warning, because a
 * double carries only 15–17 significant decimal digits and the tail is the producer's
 * arithmetic noise, not money. A genuine sub-cent amount (2113.424) is an error: money is
 * never rounded.
 */
import type {
  CanonicalRecord,
  Charge,
  Claim,
  ClaimLine,
  ClaimPayment,
  Department,
  Encounter,
  EncounterStatus,
  Location,
  ParseIssue,
  ParseResult,
  PatientAccount,
  Payer,
  Provider,
  RawUnit,
  RemittanceAdjustment,
  SourceSystem,
  SupplyUsage,
} from "../../src-shared/model";
import { parseDecimalToCents } from "../../src-shared/money";
import { lineColumn, lineCounter, scanJson } from "./jsonScan";

export const NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi";

export interface ParseFhirOptions {
  fileName: string;
  /** Overrides the per-resource default system (clinical → ehr, Claim → billing, EOB → payer). */
  system?: SourceSystem;
}

/** A FHIR resource or element after JSON.parse: an open bag of JSON values. */
type Json = string | number | boolean | null | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json | undefined;
}

const MAPPED = new Set([
  "Encounter",
  "Claim",
  "ExplanationOfBenefit",
  "ChargeItem",
  "SupplyDelivery",
  "Practitioner",
  "Location",
  "Organization",
]);

// ------------------------------------------------------------------ entry point

export function parseFhir(text: string, opts: ParseFhirOptions): ParseResult {
  const file = opts.fileName;
  const issues: ParseIssue[] = [];
  const units: RawUnit[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  if (body.trim() === "") {
    issues.push({ code: "fhir-empty", severity: "error", message: `${file}: the file is empty`, where: { file } });
    return { format: "fhir", units, issues };
  }

  const ndjsonByName = /\.ndjson$/i.test(file);
  const firstLineEnd = body.indexOf("\n");
  const looksNdjson =
    ndjsonByName ||
    (firstLineEnd >= 0 &&
      body.slice(firstLineEnd + 1).trim() !== "" &&
      scanJson(body.slice(0, firstLineEnd), () => false).ok &&
      body.trimStart().startsWith("{"));

  if (looksNdjson) {
    parseNdjson(body, file, opts.system, units);
    return { format: "fhir", units, issues };
  }

  // One JSON document: a Bundle or a single resource. Spans of entry[i].resource and entry[i].fullUrl.
  const scan = scanJson(
    body,
    (p) => p[0] === "entry" && ((p.length === 3 && (p[2] === "resource" || p[2] === "fullUrl")) || p.length === 2),
    3,
  );
  if (!scan.ok) {
    const { line, column } = lineColumn(body, scan.offset);
    issues.push({
      code: "fhir-invalid-json",
      severity: "error",
      message: `${file} line ${line}, column ${column}: invalid JSON: ${scan.message}`,
      where: { file, line },
      expected: "valid JSON (RFC 8259)",
      found: body.slice(scan.offset, scan.offset + 20),
    });
    return { format: "fhir", units, issues };
  }
  const root = JSON.parse(body) as Json;
  if (!isObject(root) || typeof root.resourceType !== "string") {
    issues.push({
      code: "fhir-not-a-resource",
      severity: "error",
      message: `${file}: not a FHIR resource: the top-level JSON value has no "resourceType"`,
      where: { file, line: 1 },
      expected: 'an object with "resourceType"',
      found: Array.isArray(root) ? "an array" : typeof root,
    });
    return { format: "fhir", units, issues };
  }

  if (root.resourceType === "Bundle") {
    const lineOf = lineCounter(body);
    const entries = arr(root.entry);
    const resourceSpans = new Map<number, { start: number; end: number }>();
    const entrySpans = new Map<number, number>();
    for (const s of scan.spans) {
      const idx = s.path[1] as number;
      if (s.path.length === 3 && s.path[2] === "resource") resourceSpans.set(idx, s);
      if (s.path.length === 2) entrySpans.set(idx, s.start);
    }
    const index = new ResourceIndex();
    entries.forEach((e) => {
      if (isObject(e) && isObject(e.resource)) index.add(e.resource, str(e.fullUrl));
    });
    const bundleType = str(root.type);
    entries.forEach((entry, k) => {
      const span = resourceSpans.get(k);
      const entryStart = entrySpans.get(k) ?? 0;
      if (!isObject(entry) || !isObject(entry.resource) || span === undefined) {
        // A searchset can carry entries with only a fullUrl/search; a transaction-response carries only response.
        units.push({
          kind: "fhir-resource",
          controlId: null,
          text: isObject(entry) ? JSON.stringify(entry) : String(entry),
          line: lineOf(entryStart),
          records: [],
          issues: [
            {
              code: "fhir-entry-without-resource",
              severity: "warning",
              message: `${file} line ${lineOf(entryStart)}: Bundle entry ${k} has no resource; nothing to map`,
              where: { file, line: lineOf(entryStart), segment: `entry[${k}]` },
            },
          ],
        });
        return;
      }
      const resText = body.slice(span.start, span.end);
      const line = lineOf(span.start);
      units.push(mapUnit(entry.resource, resText, line, file, opts.system, index, str(entry.fullUrl), `entry[${k}]`));
    });
    if (entries.length === 0) {
      issues.push({
        code: "fhir-empty-bundle",
        severity: "warning",
        message: `${file}: Bundle${bundleType ? ` (${bundleType})` : ""} has no entries`,
        where: { file, line: 1 },
      });
    }
    return { format: "fhir", units, issues };
  }

  const lead = body.length - body.trimStart().length;
  const index = new ResourceIndex();
  index.add(root, null);
  units.push(mapUnit(root, body.trim(), lineColumn(body, lead).line, file, opts.system, index, null, undefined));
  return { format: "fhir", units, issues };
}

function parseNdjson(body: string, file: string, system: SourceSystem | undefined, units: RawUnit[]): void {
  const lines = body.split("\n");
  const parsed: { line: number; text: string; value: JsonObject | null; error: ParseIssue | null }[] = [];
  const index = new ResourceIndex();
  lines.forEach((raw, k) => {
    const lineText = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (lineText.trim() === "") return;
    const line = k + 1;
    const scan = scanJson(lineText, () => false);
    if (!scan.ok) {
      parsed.push({
        line,
        text: lineText,
        value: null,
        error: {
          code: "fhir-invalid-json",
          severity: "error",
          message: `${file} line ${line}, column ${scan.offset + 1}: invalid JSON: ${scan.message}`,
          where: { file, line },
          expected: "one JSON resource per line (NDJSON)",
          found: lineText.slice(scan.offset, scan.offset + 20),
        },
      });
      return;
    }
    const value = JSON.parse(lineText) as Json;
    if (!isObject(value) || typeof value.resourceType !== "string") {
      parsed.push({
        line,
        text: lineText,
        value: null,
        error: {
          code: "fhir-not-a-resource",
          severity: "error",
          message: `${file} line ${line}: not a FHIR resource: no "resourceType"`,
          where: { file, line },
          expected: 'an object with "resourceType"',
          found: lineText.slice(0, 40),
        },
      });
      return;
    }
    index.add(value, null);
    parsed.push({ line, text: lineText, value, error: null });
  });
  for (const p of parsed) {
    if (p.value === null) {
      units.push({ kind: "fhir-resource", controlId: null, text: p.text, line: p.line, records: [], issues: [p.error!] });
    } else {
      units.push(mapUnit(p.value, p.text, p.line, file, system, index, null, undefined));
    }
  }
}

// ------------------------------------------------------------------ per-resource mapping

/** Collects problems for one unit with its location filled in. */
class UnitContext {
  readonly issues: ParseIssue[] = [];
  constructor(
    readonly file: string,
    readonly line: number,
    readonly segment: string,
    readonly index: ResourceIndex,
  ) {}
  error(code: string, field: string, message: string, expected?: string, found?: string): void {
    this.issues.push({
      code,
      severity: "error",
      message: `${this.file} line ${this.line}, ${this.segment} ${field}: ${message}`,
      where: { file: this.file, line: this.line, segment: this.segment, field },
      ...(expected !== undefined ? { expected } : {}),
      ...(found !== undefined ? { found } : {}),
    });
  }
  warn(code: string, field: string | undefined, message: string): void {
    this.issues.push({
      code,
      severity: "warning",
      message: `${this.file} line ${this.line}, ${this.segment}${field ? ` ${field}` : ""}: ${message}`,
      where: { file: this.file, line: this.line, segment: this.segment, ...(field ? { field } : {}) },
    });
  }
  /** Money (a FHIR Money element's `value`) → cents, or null with an error when it is unusable. */
  cents(value: Json | undefined, field: string): number | null {
    if (typeof value !== "number") {
      this.error(
        "fhir-bad-amount",
        field,
        `expected a decimal amount, found ${JSON.stringify(value ?? null)}`,
        "a decimal amount",
        String(value),
      );
      return null;
    }
    const text = String(value);
    let r = /e/i.test(text) ? null : parseDecimalToCents(text);
    if (r && r.ok) return r.cents;
    // Binary floating-point noise from the producer (27.200000000000003): see the header comment.
    const normal = String(Number(value.toPrecision(15)));
    if (normal !== text && !/e/i.test(normal)) {
      r = parseDecimalToCents(normal);
      if (r.ok) {
        this.warn("fhir-float-noise", field, `amount ${text} read as ${normal} (floating-point noise beyond 15 significant digits)`);
        return r.cents;
      }
    }
    this.error(
      "fhir-bad-amount",
      field,
      `expected a decimal amount with at most 2 decimal places, found ${text}`,
      "a decimal amount with at most 2 decimal places",
      text,
    );
    return null;
  }
}

function mapUnit(
  res: JsonObject,
  text: string,
  line: number,
  file: string,
  systemOverride: SourceSystem | undefined,
  index: ResourceIndex,
  fullUrl: string | null,
  segmentPrefix: string | undefined,
): RawUnit {
  const type = str(res.resourceType) ?? "?";
  const id = str(res.id);
  const version = str(obj(res.meta)?.versionId);
  const controlId = id ? `${type}/${id}${version ? `/_history/${version}` : ""}` : fullUrl;
  const segment = segmentPrefix ? `${segmentPrefix} ${type}${id ? `/${id}` : ""}` : `${type}${id ? `/${id}` : ""}`;
  const cx = new UnitContext(file, line, segment, index);
  const system: SourceSystem = systemOverride ?? (type === "Claim" ? "billing" : type === "ExplanationOfBenefit" ? "payer" : "ehr");
  let records: CanonicalRecord[] = [];
  if (!MAPPED.has(type)) {
    cx.warn("fhir-not-mapped", undefined, `not mapped: ${type}`);
  } else {
    records = mapResource(type, res, system, cx);
  }
  if (cx.issues.some((x) => x.severity === "error")) records = [];
  return { kind: "fhir-resource", controlId, text, line, records, issues: cx.issues };
}

function mapResource(type: string, r: JsonObject, system: SourceSystem, cx: UnitContext): CanonicalRecord[] {
  switch (type) {
    case "Encounter":
      return mapEncounter(r, system, cx);
    case "Claim":
      return mapClaim(r, system, cx);
    case "ExplanationOfBenefit":
      return mapEob(r, system, cx);
    case "ChargeItem":
      return mapChargeItem(r, system, cx);
    case "SupplyDelivery":
      return mapSupplyDelivery(r, system, cx);
    case "Practitioner":
      return mapPractitioner(r, system, cx);
    case "Location":
      return mapLocation(r, system, cx);
    case "Organization":
      return mapOrganization(r, system, cx);
    default:
      return [];
  }
}

/** HL7 v3 ActEncounterCode → HL7 v2 table 0004 patient class, so FHIR and ADT encounters compare. */
const CLASS_TO_V2: Record<string, string> = {
  IMP: "I",
  ACUTE: "I",
  NONAC: "I",
  AMB: "O",
  HH: "O",
  VR: "O",
  FLD: "O",
  OBSENC: "O",
  SS: "O",
  EMER: "E",
  PRENC: "P",
};

/**
 * Encounter → encounter. visitNumber: identifier typed VN, else the official identifier,
 * else the first identifier, else the resource id. accountNumber: Encounter.account[0].
 * patientClass: class.code through CLASS_TO_V2 (an unknown code is kept as written).
 * facilityCode: serviceProvider; locationCode: location[0]; attendingNpi: the participant
 * typed ATND, else PPRF/primary performer, when its reference carries an NPI. mrn: the
 * subject Patient's identifier typed MR, when that Patient is in the same file (else null).
 * departmentCode, financialClass: R4 Encounter has no field for them, so null. status: finished →
 * discharged; cancelled/entered-in-error → cancelled; everything else → active.
 */
function mapEncounter(r: JsonObject, system: SourceSystem, cx: UnitContext): CanonicalRecord[] {
  const visitNumber = businessId(r, "VN") ?? str(r.id);
  if (!visitNumber) {
    cx.error("fhir-missing-field", "identifier", "expected an identifier or id for the visit number", "an identifier", "none");
    return [];
  }
  const accountRef = obj(arr(r.account)[0]);
  const accountNumber = accountRef ? refId(accountRef) : null;
  const fhirStatus = str(r.status) ?? "unknown";
  const status: EncounterStatus =
    fhirStatus === "finished" ? "discharged" : fhirStatus === "cancelled" || fhirStatus === "entered-in-error" ? "cancelled" : "active";
  const classCode = str(obj(r.class)?.code);
  const participants = arr(r.participant).filter(isObject);
  const typed = (code: string) =>
    participants.find((p) => arr(p.type).some((t) => isObject(t) && arr(t.coding).some((c) => isObject(c) && c.code === code)));
  const attending = typed("ATND") ?? typed("PPRF") ?? null;
  const period = obj(r.period);
  const enc: Encounter = {
    type: "encounter",
    system,
    visitNumber,
    accountNumber,
    mrn: cx.index.mrnOf(obj(r.subject)),
    patientClass: classCode ? (CLASS_TO_V2[classCode] ?? classCode) : null,
    facilityCode: refIdOf(r.serviceProvider),
    locationCode: refIdOf(obj(arr(r.location)[0])?.location),
    departmentCode: null,
    attendingNpi: attending ? cx.index.npiOf(obj(attending.individual)) : null,
    admitAt: instant(period?.start, "period.start", cx),
    dischargeAt: instant(period?.end, "period.end", cx),
    status,
    lastEvent: null,
    financialClass: null,
  };
  const out: CanonicalRecord[] = [enc];
  if (accountNumber) {
    const acct: PatientAccount = {
      type: "patientAccount",
      system,
      accountNumber,
      mrn: cx.index.mrnOf(obj(r.subject)),
      patientName: str(obj(r.subject)?.display),
      birthDate: null,
      financialClass: null,
      primaryPayerId: null,
    };
    out.push(acct);
  }
  return out;
}

/**
 * Claim → claim + claimLines. claimId is the Claim's resource id, because that is what
 * ExplanationOfBenefit.claim points at (the pair must key the same in claim-to-remittance).
 * kind: type institutional → institutional, any other type (professional, oral, vision,
 * pharmacy) → professional. payerId/payerName: insurer, else the focal coverage's display.
 * totalChargeCents: total, else Σ line charges. A line is an item with `net`, or
 * unitPrice × quantity (× factor) computed exactly; an item with neither gives a warning
 * and no line (Synthea lists diagnosis "finding" items with no price).
 */
function mapClaim(r: JsonObject, system: SourceSystem, cx: UnitContext): CanonicalRecord[] {
  const claimId = str(r.id) ?? businessId(r, null);
  if (!claimId) {
    cx.error("fhir-missing-field", "id", "expected a resource id or identifier for the claim", "an id", "none");
    return [];
  }
  const lines: ClaimLine[] = [];
  arr(r.item).forEach((raw, k) => {
    const item = obj(raw);
    if (!item) return;
    const seq = typeof item.sequence === "number" ? item.sequence : k + 1;
    const field = `item[${k}]`;
    const charge = itemAmount(item, field, cx);
    if (charge === undefined) {
      cx.warn("fhir-item-without-price", field, `item ${seq} has no net or unitPrice; no claim line produced`);
      return;
    }
    if (charge === null) return;
    const q = obj(item.quantity);
    lines.push({
      type: "claimLine",
      system,
      claimId,
      lineNumber: seq,
      procedureCode: firstCode(item.productOrService),
      modifiers: codes(item.modifier).join(":") || null,
      revenueCode: firstCode(item.revenue),
      chargeCents: charge,
      units: typeof q?.value === "number" ? q.value : null,
      serviceDate: calendarDate(item.servicedDate) ?? calendarDate(obj(item.servicedPeriod)?.start),
      lineControl: null,
    });
  });
  const total = obj(r.total);
  let totalChargeCents: number | null;
  if (total) totalChargeCents = cx.cents(total.value, "total.value");
  else if (lines.length > 0) totalChargeCents = lines.reduce((s, l) => s + l.chargeCents, 0);
  else {
    cx.error("fhir-missing-field", "total", "expected a total or priced items", "total.value", "none");
    totalChargeCents = null;
  }
  if (totalChargeCents === null) return [];
  const insurer = obj(r.insurer);
  const focal =
    arr(r.insurance)
      .filter(isObject)
      .find((x) => x.focal === true) ?? obj(arr(r.insurance)[0]);
  const typeCode = firstCode(r.type);
  const period = obj(r.billablePeriod);
  const claim: Claim = {
    type: "claim",
    system,
    claimId,
    kind: typeCode === "institutional" ? "institutional" : "professional",
    accountNumber: null,
    payerId: insurer ? refId(insurer) : null,
    payerName: str(insurer?.display) ?? str(obj(focal?.coverage)?.display),
    billingNpi: cx.index.npiOf(obj(r.provider)),
    totalChargeCents,
    frequencyCode: null,
    serviceFrom: calendarDate(period?.start),
    serviceTo: calendarDate(period?.end),
    interchangeRef: null,
  };
  return [claim, ...lines];
}

/**
 * An item's extended amount: net, else unitPrice × quantity × factor in exact integer
 * arithmetic. undefined = the item carries no price; null = a price that is unusable (error).
 */
function itemAmount(item: JsonObject, field: string, cx: UnitContext): number | null | undefined {
  const net = obj(item.net);
  const unit = obj(item.unitPrice);
  if (net && net.value !== undefined) {
    const cents = cx.cents(net.value, `${field}.net.value`);
    if (cents !== null && unit && unit.value !== undefined) {
      const computed = extend(unit, item, field, cx, true);
      if (computed !== null && computed !== cents) {
        cx.warn("fhir-net-mismatch", `${field}.net`, `net ${cents / 100} differs from unitPrice × quantity ${computed / 100}; net used`);
      }
    }
    return cents;
  }
  if (unit && unit.value !== undefined) return extend(unit, item, field, cx, false);
  return undefined;
}

function extend(unit: JsonObject, item: JsonObject, field: string, cx: UnitContext, quiet: boolean): number | null {
  const unitCents = quiet ? quietCents(unit.value) : cx.cents(unit.value, `${field}.unitPrice.value`);
  if (unitCents === null) return null;
  let result = BigInt(unitCents);
  let scale = 1n;
  for (const [name, factor] of [
    ["quantity.value", obj(item.quantity)?.value],
    ["factor", item.factor],
  ] as const) {
    if (factor === undefined || factor === null) continue;
    const d = typeof factor === "number" ? decimalParts(String(factor)) : null;
    if (!d) {
      if (!quiet)
        cx.error(
          "fhir-bad-number",
          `${field}.${name}`,
          `expected a decimal number, found ${JSON.stringify(factor)}`,
          "a decimal number",
          String(factor),
        );
      return null;
    }
    result *= d.digits;
    scale *= d.scale;
  }
  if (result % scale !== 0n) {
    if (!quiet) {
      cx.error(
        "fhir-bad-amount",
        `${field}.unitPrice`,
        `unitPrice × quantity is not a whole number of cents`,
        "an extended amount in whole cents",
        `${(Number(result) / Number(scale) / 100).toString()}`,
      );
    }
    return null;
  }
  const cents = result / scale;
  if (cents > BigInt(Number.MAX_SAFE_INTEGER) || cents < BigInt(Number.MIN_SAFE_INTEGER)) {
    if (!quiet) cx.error("fhir-bad-amount", `${field}.unitPrice`, "extended amount out of range");
    return null;
  }
  return Number(cents);
}

function quietCents(value: Json | undefined): number | null {
  if (typeof value !== "number") return null;
  const r = parseDecimalToCents(String(value));
  return r.ok ? r.cents : null;
}

/** "1.25" → { digits: 125n, scale: 100n }; exponent forms and non-numbers → null. */
function decimalParts(text: string): { digits: bigint; scale: bigint } | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const frac = m[3] ?? "";
  return { digits: BigInt(`${m[1]}${m[2]}${frac}`), scale: 10n ** BigInt(frac.length) };
}

/** CARIN BB / FHIR adjudication categories whose X12 equivalent is unambiguous. */
const PATIENT_RESPONSIBILITY: Record<string, string> = {
  deductible: "1",
  coinsurance: "2",
  coins: "2",
  copay: "3",
  "https://bluebutton.cms.gov/resources/variables/line_bene_ptb_ddctbl_amt": "1",
  "https://bluebutton.cms.gov/resources/variables/line_coinsrnc_amt": "2",
};
const GROUP_CODES = new Set(["CO", "PR", "OA", "PI", "CR"]);

/**
 * ExplanationOfBenefit → claimPayment (+ remittanceAdjustments).
 * - claimId: the id in EOB.claim's reference (= our Claim's claimId), else the identifier
 *   typed "uc" (CARIN unique claim id) or the Blue Button clm_id, else the first identifier.
 * - traceNumber: payment.identifier, else `ExplanationOfBenefit/<id>` (FHIR EOBs rarely carry
 *   the EFT/check number; the model needs a non-null trace, see the report).
 * - statusCode: EOB.outcome as written (queued/complete/error/partial). It is NOT an X12 CLP02
 *   code; translating would be guessing.
 * - chargeCents: total "submitted"; else Σ item adjudication "submitted"; else error.
 * - paidCents: payment.amount; else total "payment", "paidtoprovider" or "benefit"; else error.
 * - patientResponsibilityCents: total "memberliability", else null.
 * - payerClaimControl: the identifier typed "uc" (the payer's claim id), else null.
 * - sequence: 0 (one EOB is one claim payment).
 * - adjustments: non-zero adjudications whose category is deductible/coinsurance/copay
 *   (CARC 1/2/3, group PR), or that carry a CARC reason and an X12 group code as category;
 *   item-level ones carry the item sequence as serviceSequence. Other categories
 *   (eligible, benefit, noncovered, …) are totals, not adjustments, and are not mapped.
 */
function mapEob(r: JsonObject, system: SourceSystem, cx: UnitContext): CanonicalRecord[] {
  const claimId = refIdOf(r.claim) ?? businessId(r, "uc") ?? identifierBySystem(r, "clm_id") ?? businessId(r, null);
  if (!claimId) {
    cx.error("fhir-missing-field", "claim", "expected claim reference or identifier", "claim.reference or identifier", "none");
    return [];
  }
  const id = str(r.id);
  const payment = obj(r.payment);
  const traceNumber = str(obj(payment?.identifier)?.value) ?? `ExplanationOfBenefit/${id ?? claimId}`;
  const totals = arr(r.total).filter(isObject);
  const totalOf = (code: string) => totals.find((t) => hasCode(t.category, code));

  let chargeCents: number | null = null;
  const submitted = totalOf("submitted");
  if (submitted) chargeCents = cx.cents(obj(submitted.amount)?.value, "total[submitted].amount");
  else {
    const parts = arr(r.item)
      .filter(isObject)
      .map((it) =>
        arr(it.adjudication)
          .filter(isObject)
          .find((a) => hasCode(a.category, "submitted")),
      )
      .filter((a): a is JsonObject => a !== undefined);
    if (parts.length > 0) {
      let sum = 0;
      for (const a of parts) {
        const c = cx.cents(obj(a.amount)?.value, "item.adjudication[submitted].amount");
        if (c === null) return [];
        sum += c;
      }
      chargeCents = sum;
    } else cx.error("fhir-missing-field", "total", "expected a submitted total", 'total with category "submitted"', "none");
  }

  let paidCents: number | null = null;
  const paidTotal = totalOf("payment") ?? totalOf("paidtoprovider") ?? totalOf("benefit");
  if (payment && obj(payment.amount)?.value !== undefined) paidCents = cx.cents(obj(payment.amount)!.value, "payment.amount.value");
  else if (paidTotal) paidCents = cx.cents(obj(paidTotal.amount)?.value, "total[payment].amount");
  else cx.error("fhir-missing-field", "payment", "expected payment.amount or a payment/benefit total", "payment.amount", "none");

  const liability = totalOf("memberliability");
  const patientResponsibilityCents = liability ? cx.cents(obj(liability.amount)?.value, "total[memberliability].amount") : null;
  if (chargeCents === null || paidCents === null) return [];

  const payerClaimControl = businessId(r, "uc");
  const cp: ClaimPayment = {
    type: "claimPayment",
    system,
    traceNumber,
    claimId,
    statusCode: str(r.outcome) ?? "unknown",
    chargeCents,
    paidCents,
    patientResponsibilityCents,
    payerClaimControl: payerClaimControl !== claimId ? payerClaimControl : null,
    sequence: 0,
  };
  const out: CanonicalRecord[] = [cp];
  const adjust = (a: JsonObject, serviceSequence: number | null, field: string) => {
    const category = codes(a.category);
    let groupCode: string | null = null;
    let reasonCode: string | null = null;
    const carc = arr(obj(a.reason)?.coding)
      .filter(isObject)
      .find((c) => /claim-adjustment-reason|carc/i.test(str(c.system) ?? ""));
    if (carc && str(carc.code)) {
      groupCode = category.find((c) => GROUP_CODES.has(c)) ?? null;
      reasonCode = str(carc.code);
    }
    if (!groupCode) {
      const pr = category.map((c) => PATIENT_RESPONSIBILITY[c]).find((x) => x !== undefined);
      if (pr) {
        groupCode = "PR";
        reasonCode = pr;
      }
    }
    if (!groupCode || !reasonCode) return;
    const amount = obj(a.amount);
    if (!amount || amount.value === undefined) return;
    const cents = cx.cents(amount.value, `${field}.amount`);
    if (cents === null || cents === 0) return;
    const adj: RemittanceAdjustment = {
      type: "remittanceAdjustment",
      system,
      traceNumber,
      claimId,
      claimSequence: 0,
      serviceSequence,
      groupCode,
      reasonCode,
      amountCents: cents,
      quantity: null,
    };
    out.push(adj);
  };
  arr(r.adjudication).forEach((a, k) => isObject(a) && adjust(a, null, `adjudication[${k}]`));
  arr(r.item).forEach((it, k) => {
    if (!isObject(it)) return;
    const seq = typeof it.sequence === "number" ? it.sequence : k + 1;
    arr(it.adjudication).forEach((a, j) => isObject(a) && adjust(a, seq, `item[${k}].adjudication[${j}]`));
  });
  return out;
}

/**
 * ChargeItem → charge. R4 ChargeItem carries its own price only as priceOverride (the
 * total price overriding the list price); without it the price lives in a
 * ChargeItemDefinition we do not have, so the unit is an error. quantity absent → 1 with a
 * warning. visitNumber: context (Encounter); accountNumber: account[0]; departmentCode:
 * performingOrganization; postingDate: enteredDate; performingNpi: performer[0].actor.
 * A negative quantity or priceOverride is kept signed (a credit).
 */
function mapChargeItem(r: JsonObject, system: SourceSystem, cx: UnitContext): CanonicalRecord[] {
  const transactionId = businessId(r, null) ?? str(r.id);
  const cdmCode = firstCode(r.code);
  const serviceDate = calendarDate(r.occurrenceDateTime) ?? calendarDate(obj(r.occurrencePeriod)?.start);
  if (!transactionId) cx.error("fhir-missing-field", "identifier", "expected an identifier or id", "an identifier", "none");
  if (!cdmCode) cx.error("fhir-missing-field", "code", "expected a charge code (code.coding[0].code)", "a code", "none");
  if (!serviceDate)
    cx.error("fhir-missing-field", "occurrence[x]", "expected a service date", "occurrenceDateTime or occurrencePeriod", "none");
  const price = obj(r.priceOverride);
  let amountCents: number | null = null;
  if (!price)
    cx.error(
      "fhir-missing-field",
      "priceOverride",
      "expected priceOverride (no other price is carried by an R4 ChargeItem)",
      "priceOverride",
      "none",
    );
  else amountCents = cx.cents(price.value, "priceOverride.value");
  const q = obj(r.quantity)?.value;
  let quantity = 1;
  if (typeof q === "number") quantity = q;
  else cx.warn("fhir-default-quantity", "quantity", "no quantity; taken as 1");
  if (!transactionId || !cdmCode || !serviceDate || amountCents === null) return [];
  const charge: Charge = {
    type: "charge",
    system,
    transactionId,
    accountNumber: refIdOf(arr(r.account)[0]),
    visitNumber: refIdOf(r.context),
    cdmCode,
    revenueCode: null,
    departmentCode: refIdOf(r.performingOrganization),
    quantity,
    amountCents,
    unitAmountCents: null,
    serviceDate,
    postingDate: calendarDate(r.enteredDate),
    transactionType: null,
    performingNpi: cx.index.npiOf(obj(obj(arr(r.performer)[0])?.actor)),
    description: str(obj(r.code)?.text) ?? firstDisplay(r.code),
    reversesTransactionId: null,
  };
  return [charge];
}

/**
 * SupplyDelivery → supplyUsage: supplyCode from suppliedItem.itemCodeableConcept (or the
 * itemReference's id); quantity from suppliedItem.quantity (absent → 1 with a warning);
 * usedDate from occurrence[x]; locationCode from destination. R4 SupplyDelivery has no
 * encounter or account, and says nothing about implants: implant = false.
 */
function mapSupplyDelivery(r: JsonObject, system: SourceSystem, cx: UnitContext): CanonicalRecord[] {
  const usageId = businessId(r, null) ?? str(r.id);
  const item = obj(r.suppliedItem);
  const supplyCode = firstCode(item?.itemCodeableConcept) ?? refIdOf(item?.itemReference);
  const usedDate = calendarDate(r.occurrenceDateTime) ?? calendarDate(obj(r.occurrencePeriod)?.start);
  if (!usageId) cx.error("fhir-missing-field", "identifier", "expected an identifier or id", "an identifier", "none");
  if (!supplyCode) cx.error("fhir-missing-field", "suppliedItem.item[x]", "expected a supply code", "itemCodeableConcept", "none");
  if (!usedDate) cx.error("fhir-missing-field", "occurrence[x]", "expected an occurrence date", "occurrenceDateTime", "none");
  const q = obj(item?.quantity)?.value;
  let quantity = 1;
  if (typeof q === "number") quantity = q;
  else cx.warn("fhir-default-quantity", "suppliedItem.quantity", "no quantity; taken as 1");
  if (!usageId || !supplyCode || !usedDate) return [];
  const usage: SupplyUsage = {
    type: "supplyUsage",
    system,
    usageId,
    accountNumber: null,
    visitNumber: null,
    supplyCode,
    locationCode: refIdOf(r.destination),
    departmentCode: null,
    quantity,
    usedDate,
    implant: false,
    lotNumber: null,
    serialNumber: null,
    cdmCode: null,
  };
  return [usage];
}

/**
 * Practitioner → provider. npi: identifier with system us-npi. Without one (Synthea's
 * international configs, non-US data) the first identifier (or the id) is the key and a
 * warning says so, since master-data matching on it will not meet a real NPI.
 */
function mapPractitioner(r: JsonObject, system: SourceSystem, cx: UnitContext): CanonicalRecord[] {
  let npi = identifierBySystem(r, NPI_SYSTEM, true);
  if (!npi) {
    const first = arr(r.identifier).filter(isObject)[0];
    const fallback = str(first?.value) ?? str(r.id);
    if (!fallback) {
      cx.error("fhir-missing-field", "identifier", "expected an NPI identifier or any identifier", NPI_SYSTEM, "none");
      return [];
    }
    cx.warn(
      "fhir-no-npi",
      "identifier",
      `no NPI (identifier system ${NPI_SYSTEM}); using ${first ? `${str(first.system) ?? "identifier"}|${fallback}` : `id ${fallback}`} as the provider key`,
    );
    npi = fallback;
  }
  const qual = obj(arr(r.qualification)[0]);
  const provider: Provider = {
    type: "provider",
    system,
    npi,
    name: humanName(arr(r.name)[0]),
    specialty: qual ? (str(obj(qual.code)?.text) ?? firstDisplay(qual.code)) : null,
    departmentCode: null,
    active: r.active !== false,
  };
  return [provider];
}

/** Location → location: code = first identifier (or id); facilityCode = managingOrganization. */
function mapLocation(r: JsonObject, system: SourceSystem, cx: UnitContext): CanonicalRecord[] {
  const code = businessId(r, null) ?? str(r.id);
  if (!code) {
    cx.error("fhir-missing-field", "identifier", "expected an identifier or id", "an identifier", "none");
    return [];
  }
  const loc: Location = {
    type: "location",
    system,
    code,
    name: str(r.name),
    departmentCode: null,
    facilityCode: refIdOf(r.managingOrganization),
  };
  return [loc];
}

/**
 * Organization → payer when its type is "pay" or "ins" (organization-type code system),
 * otherwise → department. Tieout's model has no facility record, so provider organisations
 * (type "prov", which is what Synthea's hospitals and clinics are) become departments whose
 * facilityCode is their partOf organisation (null at the top): the closest master record,
 * and what Encounter.facilityCode points at. Code: first identifier, else id.
 */
function mapOrganization(r: JsonObject, system: SourceSystem, cx: UnitContext): CanonicalRecord[] {
  const code = businessId(r, null) ?? str(r.id);
  if (!code) {
    cx.error("fhir-missing-field", "identifier", "expected an identifier or id", "an identifier", "none");
    return [];
  }
  const types = codes(r.type);
  if (types.includes("pay") || types.includes("ins")) {
    const payer: Payer = { type: "payer", system, payerId: code, name: str(r.name), eftOriginatorId: null };
    return [payer];
  }
  const dept: Department = {
    type: "department",
    system,
    code,
    name: str(r.name),
    costCenter: null,
    facilityCode: refIdOf(r.partOf),
  };
  return [dept];
}

// ------------------------------------------------------------------ reference resolution

/** Resources of one file by fullUrl and Type/id, to resolve practitioner references to an NPI. */
class ResourceIndex {
  private byKey = new Map<string, JsonObject>();
  add(res: JsonObject, fullUrl: string | null): void {
    const type = str(res.resourceType);
    const id = str(res.id);
    if (fullUrl) this.byKey.set(fullUrl, res);
    if (type && id) {
      this.byKey.set(`${type}/${id}`, res);
      this.byKey.set(`urn:uuid:${id}`, res);
    }
  }
  /** The MRN (identifier typed MR) of the Patient a Reference points at, when that Patient is in this file. */
  mrnOf(ref: JsonObject | null): string | null {
    if (!ref) return null;
    const ident = obj(ref.identifier);
    if (ident && hasCode(ident.type, "MR")) return str(ident.value);
    const reference = str(ref.reference);
    const target = reference ? this.byKey.get(reference) : undefined;
    return target ? businessId(target, "MR") : null;
  }
  /** The NPI a Reference points at: a conditional reference, a logical identifier, or a resolved Practitioner. */
  npiOf(ref: JsonObject | null): string | null {
    if (!ref) return null;
    const ident = obj(ref.identifier);
    if (ident && str(ident.system) === NPI_SYSTEM) return str(ident.value);
    const reference = str(ref.reference);
    if (!reference) return null;
    const cond = /\?identifier=([^|]*)\|(.+)$/.exec(reference);
    if (cond) return decodeURIComponent(cond[1]!) === NPI_SYSTEM ? decodeURIComponent(cond[2]!) : null;
    const target = this.byKey.get(reference) ?? this.byKey.get(reference.replace(/\/_history\/.*$/, ""));
    return target ? identifierBySystem(target, NPI_SYSTEM, true) : null;
  }
}

/** The id a Reference points at: Type/id, urn:uuid:id, Type?identifier=system|value, or identifier.value. */
function refId(ref: JsonObject): string | null {
  const reference = str(ref.reference);
  if (reference) {
    if (reference.startsWith("#")) return null;
    const cond = /\?identifier=(?:[^|]*\|)?(.+)$/.exec(reference);
    if (cond) return decodeURIComponent(cond[1]!);
    if (reference.startsWith("urn:uuid:") || reference.startsWith("urn:oid:")) return reference.slice(9);
    const parts = reference.replace(/\/_history\/.*$/, "").split("/");
    return parts[parts.length - 1] || null;
  }
  return str(obj(ref.identifier)?.value);
}
function refIdOf(v: Json | undefined): string | null {
  const o = obj(v);
  return o ? refId(o) : null;
}

/** identifier typed `typeCode` (any system), else use=official, else the first one. typeCode null: skip the typed pass. */
function businessId(r: JsonObject, typeCode: string | null): string | null {
  const ids = arr(r.identifier).filter(isObject);
  if (typeCode) {
    const typed = ids.find((x) => hasCode(x.type, typeCode));
    return typed ? str(typed.value) : null;
  }
  const official = ids.find((x) => x.use === "official") ?? ids[0];
  return official ? str(official.value) : null;
}

/** identifier whose system equals `system` (exact) or ends with `/${system}`. */
function identifierBySystem(r: JsonObject, system: string, exact = false): string | null {
  const hit = arr(r.identifier)
    .filter(isObject)
    .find((x) => {
      const s = str(x.system) ?? "";
      return exact ? s === system : s === system || s.endsWith(`/${system}`);
    });
  return hit ? str(hit.value) : null;
}

// ------------------------------------------------------------------ small JSON helpers

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function obj(v: Json | undefined): JsonObject | null {
  return isObject(v) ? v : null;
}
function arr(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}
function str(v: Json | undefined): string | null {
  return typeof v === "string" && v.trim() !== "" ? v : null;
}
/** All coding codes of a CodeableConcept (or of an array of them). */
function codes(v: Json | undefined): string[] {
  const concepts = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const c of concepts) {
    if (!isObject(c)) continue;
    for (const coding of arr(c.coding)) if (isObject(coding) && typeof coding.code === "string") out.push(coding.code);
  }
  return out;
}
function hasCode(v: Json | undefined, code: string): boolean {
  return codes(v).includes(code);
}
function firstCode(v: Json | undefined): string | null {
  return codes(v)[0] ?? null;
}
function firstDisplay(v: Json | undefined): string | null {
  const c = obj(v);
  const coding = c ? arr(c.coding).find((x) => isObject(x) && typeof x.display === "string") : undefined;
  return isObject(coding) ? str(coding.display) : null;
}
function humanName(v: Json | undefined): string | null {
  const n = obj(v);
  if (!n) return null;
  if (str(n.text)) return str(n.text);
  const parts = [...arr(n.prefix), ...arr(n.given), n.family].filter((x): x is string => typeof x === "string");
  return parts.length ? parts.join(" ") : null;
}

/** FHIR date/dateTime → the calendar date as written (its local date, not shifted to UTC). */
function calendarDate(v: Json | undefined): string | null {
  if (typeof v !== "string") return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(v);
  return m ? m[1]! : null;
}

/** FHIR dateTime/instant → ISO-8601 UTC. A date without time stays a date (no invented midnight). */
function instant(v: Json | undefined, field: string, cx: UnitContext): string | null {
  if (typeof v !== "string") return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const t = Date.parse(v);
  if (Number.isNaN(t)) {
    cx.warn("fhir-bad-datetime", field, `expected a FHIR dateTime, found "${v}"; left empty`);
    return null;
  }
  return new Date(t).toISOString();
}
