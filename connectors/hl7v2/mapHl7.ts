/**
 * HL7 v2 messages → canonical records. Field choices follow STANDARDS.md B1 (ADT,
 * DFT/FT1, MFN); where the standard leaves a choice to the site (FT1-6 codes,
 * Z-segments) the choice is written down next to the code that makes it.
 *
 * Every problem becomes a `ParseIssue`: `error` when a record cannot be built
 * honestly (the ingest layer then quarantines the whole message), `warning` when
 * something was missing or odd but the records are still right.
 */

import type {
  CanonicalRecord,
  Charge,
  ChargeMasterEntry,
  Department,
  Encounter,
  EncounterStatus,
  Item,
  Location,
  ParseIssue,
  PatientAccount,
  Provider,
  SourceSystem,
  SupplyUsage,
} from "../../src-shared/model";
import { parseDecimalToCents } from "../../src-shared/money";
import {
  type Delimiters,
  type Hl7Message,
  type Segment,
  type ValuePath,
  fieldIssue,
  hl7Date,
  hl7Number,
  hl7Timestamp,
  repetitionCount,
  value,
} from "./hl7Message";

interface Ctx {
  msg: Hl7Message;
  d: Delimiters;
  system: SourceSystem;
  issues: ParseIssue[];
}

/** ADT events that carry an encounter's state (table 0003). */
const ADT_ENCOUNTER_EVENTS = new Set(["A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A11", "A13"]);
const DFT_EVENTS = new Set(["P03", "P11"]);
const BAR_EVENTS = new Set(["P01", "P05"]);

/** Maps one tokenised message; pushes its issues into `issues`. */
export function mapMessage(msg: Hl7Message, system: SourceSystem, issues: ParseIssue[]): CanonicalRecord[] {
  const ctx: Ctx = { msg, d: msg.delimiters, system, issues };
  const type = msg.messageType ?? "";
  const trigger = msg.trigger ?? "";
  if (type === "ADT" && ADT_ENCOUNTER_EVENTS.has(trigger)) return mapAdt(ctx, trigger);
  if (type === "DFT" && DFT_EVENTS.has(trigger)) return mapFinancial(ctx, false);
  if (type === "BAR" && BAR_EVENTS.has(trigger)) return mapFinancial(ctx, true);
  if (type === "MFN") {
    if (trigger === "M02") return mapStaff(ctx);
    if (trigger === "M04") return mapChargeMaster(ctx);
    if (trigger === "M05") return mapLocations(ctx);
    if (trigger === "M15" || trigger === "M16") return mapItems(ctx, trigger);
  }
  // Valid HL7 we do not map (ORU, ORM, SIU, ACK, ADT^A28, …): archived, counted, no records.
  const name = trigger ? `${type}^${trigger}` : type;
  issues.push({
    code: "HL7-NOT-MAPPED",
    severity: "warning",
    message: `${msg.fileName} line ${msg.line}, MSH-9: not mapped: ${name}`,
    where: { file: msg.fileName, line: msg.line, segment: "MSH", field: "MSH-9" },
    found: name,
  });
  return [];
}

// ---------------------------------------------------------------- helpers

function segs(ctx: Ctx, id: string): Segment[] {
  return ctx.msg.segments.filter((s) => s.id === id);
}

function seg1(ctx: Ctx, id: string): Segment | undefined {
  return ctx.msg.segments.find((s) => s.id === id);
}

function v(ctx: Ctx, seg: Segment | undefined, field: number, path?: ValuePath): string | null {
  return value(seg, field, ctx.d, path);
}

function err(ctx: Ctx, seg: Segment | undefined, ref: string, code: string, expected: string, found: string | null, note?: string): void {
  ctx.issues.push(fieldIssue(ctx.msg, seg, ref, code, "error", expected, found, note));
}

function warn(ctx: Ctx, seg: Segment | undefined, ref: string, code: string, expected: string, found: string | null, note?: string): void {
  ctx.issues.push(fieldIssue(ctx.msg, seg, ref, code, "warning", expected, found, note));
}

function missingSegment(ctx: Ctx, id: string, why: string): void {
  ctx.issues.push({
    code: "HL7-MISSING-SEGMENT",
    severity: "error",
    message: `${ctx.msg.fileName} line ${ctx.msg.line}, ${id}: expected a ${id} segment ${why}, found none`,
    where: { file: ctx.msg.fileName, line: ctx.msg.line, segment: id },
    expected: id,
    found: "",
  });
}

/** Raw text of a whole field (for "found" in messages). */
function rawField(seg: Segment | undefined, field: number): string | null {
  const t = seg?.fields[field];
  return t === undefined || t === "" ? null : t;
}

/** A calendar date from a TS/DTM/DR field; a warning (not an error) when unreadable. */
function optionalDate(ctx: Ctx, seg: Segment | undefined, field: number, ref: string, path: ValuePath = {}): string | null {
  const text = v(ctx, seg, field, path);
  if (text === null) return null;
  const date = hl7Date(text);
  if (date === null) warn(ctx, seg, ref, "HL7-DATE", "a date YYYYMMDD", text, "left empty");
  return date;
}

function optionalTimestamp(ctx: Ctx, seg: Segment | undefined, field: number, ref: string): string | null {
  const text = v(ctx, seg, field, { comp: 1 });
  if (text === null) return null;
  const ts = hl7Timestamp(text);
  if (ts === null) warn(ctx, seg, ref, "HL7-TIMESTAMP", "a timestamp YYYYMMDDHHMM[SS][+ZZZZ]", text, "left empty");
  return ts;
}

/** "Family, Given" from an XPN/PN field (family may carry sub-components: FN.1 is the surname). */
function personName(ctx: Ctx, seg: Segment | undefined, field: number): string | null {
  const family = v(ctx, seg, field, { comp: 1, sub: 1 });
  const given = v(ctx, seg, field, { comp: 2 });
  if (family && given) return `${family}, ${given}`;
  return family ?? given;
}

/**
 * The NPI in an XCN field: the repetition whose identifier type (XCN.13) is NPI if
 * any, else the first repetition's XCN.1. Many senders put the NPI in XCN.1 with no
 * type at all, so the fallback is the common case.
 */
function providerId(ctx: Ctx, seg: Segment | undefined, field: number): string | null {
  if (!seg) return null;
  const n = repetitionCount(seg, field, ctx.d);
  for (let rep = 0; rep < n; rep++) {
    if (v(ctx, seg, field, { rep, comp: 13 })?.toUpperCase() === "NPI") return v(ctx, seg, field, { rep, comp: 1 });
  }
  return v(ctx, seg, field, { comp: 1 });
}

/** PID-3: the repetition typed MR (CX.5) if any, else the first (STANDARDS B1). */
function medicalRecordNumber(ctx: Ctx, pid: Segment | undefined): string | null {
  if (!pid) return null;
  const n = repetitionCount(pid, 3, ctx.d);
  for (let rep = 0; rep < n; rep++) {
    if (v(ctx, pid, 3, { rep, comp: 5 })?.toUpperCase() === "MR") {
      const id = v(ctx, pid, 3, { rep, comp: 1 });
      if (id) return id;
    }
  }
  return v(ctx, pid, 3, { comp: 1 });
}

function patientAccount(ctx: Ctx, accountNumber: string, pid: Segment | undefined, pv1: Segment | undefined): PatientAccount {
  const in1 = seg1(ctx, "IN1");
  return {
    type: "patientAccount",
    system: ctx.system,
    accountNumber,
    mrn: medicalRecordNumber(ctx, pid),
    patientName: personName(ctx, pid, 5),
    birthDate: optionalDate(ctx, pid, 7, "PID-7", { comp: 1 }),
    financialClass: v(ctx, pv1, 20, { comp: 1 }),
    // IN1-3 insurance company id (CX.1) of the first IN1: the primary payer.
    primaryPayerId: v(ctx, in1, 3, { comp: 1 }),
  };
}

// ---------------------------------------------------------------- ADT

/**
 * ADT A01/A04/A05/A08/A03/A11/A13 (and A02/A06/A07) → encounter + patient account.
 * Status: A11 cancels, A03 discharges, A13 cancels a discharge (reopens, clears
 * PV1-45); any other event is "active" unless PV1-45 already carries a discharge
 * (an A08 after discharge must not reopen the visit).
 */
function mapAdt(ctx: Ctx, trigger: string): CanonicalRecord[] {
  const pid = seg1(ctx, "PID");
  const pv1 = seg1(ctx, "PV1");
  if (!pid) {
    missingSegment(ctx, "PID", `in ADT^${trigger}`);
    return [];
  }
  const account = v(ctx, pid, 18, { comp: 1 });
  let visit = v(ctx, pv1, 19, { comp: 1 });
  if (visit === null) {
    if (account === null) {
      err(
        ctx,
        pv1 ?? pid,
        "PV1-19",
        "HL7-NO-VISIT",
        "a visit number (or a PID-18 account number to use instead)",
        rawField(pv1, 19),
        "PID-18 is empty too",
      );
      return [];
    }
    warn(
      ctx,
      pv1 ?? pid,
      "PV1-19",
      "HL7-VISIT-FROM-ACCOUNT",
      "a visit number",
      rawField(pv1, 19),
      `used the PID-18 account number "${account}" as the visit number`,
    );
    visit = account;
  }
  const admitAt = optionalTimestamp(ctx, pv1, 44, "PV1-44");
  let dischargeAt = optionalTimestamp(ctx, pv1, 45, "PV1-45");
  let status: EncounterStatus = "active";
  if (trigger === "A11") status = "cancelled";
  else if (trigger === "A03") status = "discharged";
  else if (trigger === "A13") dischargeAt = null;
  else if (dischargeAt !== null) status = "discharged";

  const encounter: Encounter = {
    type: "encounter",
    system: ctx.system,
    visitNumber: visit,
    accountNumber: account,
    mrn: medicalRecordNumber(ctx, pid),
    patientClass: v(ctx, pv1, 2, { comp: 1 }),
    // PV1-3 is PL: point of care ^ room ^ bed ^ facility (HD) …; the point of care is
    // the unit we reconcile on, the facility is PL.4's namespace id.
    facilityCode: v(ctx, pv1, 3, { comp: 4, sub: 1 }),
    locationCode: v(ctx, pv1, 3, { comp: 1 }),
    departmentCode: v(ctx, pv1, 10, { comp: 1 }),
    attendingNpi: providerId(ctx, pv1, 7),
    admitAt,
    dischargeAt,
    status,
    lastEvent: trigger,
    financialClass: v(ctx, pv1, 20, { comp: 1 }),
  };
  const records: CanonicalRecord[] = [encounter];
  if (account !== null) records.push(patientAccount(ctx, account, pid, pv1));
  else warn(ctx, pid, "PID-18", "HL7-NO-ACCOUNT", "a patient account number", null, "no patient account record for this message");
  return records;
}

// ---------------------------------------------------------------- DFT / BAR

/** FT1-6 codes (table 0017 is user-defined) read as credits: positive values are negated. */
const CREDIT_TYPES = new Set(["CD", "CR"]);
/** FT1-6 codes that are money movements, not charges: not mapped as charges. */
const NON_CHARGE_TYPES = new Set(["PY", "CO", "AJ"]);
/**
 * Supply usage. Epic's Procedural Supply Usage interface (STANDARDS B1) sends cabinet
 * and procedure-log consumption as DFT^P03 with an FT1 followed by a ZPA segment; that
 * is consumption, not a charge (the charge comes later on the charge feed, where an
 * FT1-34 item number may ride along on an ordinary charge: that stays a charge only,
 * so usage is never counted twice). An FT1 is a usage line when a ZPA follows it
 * (before the next FT1) or its FT1-6 is "SU". ZPA is site-defined; the layout we read
 * is the one our synthetic EHR (fixtures/generator) sends:
 *   ZPA-1 location used | ZPA-2 lot number | ZPA-3 serial number | ZPA-4 implant (Y/N)
 * Supply code: FT1-34 item number, else FT1-7. CDM code: FT1-7 when it is not the
 * supply code itself (non-chargeable supplies carry the supply code there).
 * Location: ZPA-1, else FT1-16 (PL.1), else PV1-3's point of care.
 */
const SUPPLY_USAGE_TYPE = "SU";
const SUPPLY_USAGE_SEGMENT = "ZPA";

/**
 * DFT^P03/P11 → one charge per FT1 (and supply usage, see `mapFt1`); BAR^P01/P05 →
 * the patient account plus charges for any FT1 it carries.
 */
function mapFinancial(ctx: Ctx, isBar: boolean): CanonicalRecord[] {
  const pid = seg1(ctx, "PID");
  const pv1 = seg1(ctx, "PV1");
  const ft1s = segs(ctx, "FT1");
  const records: CanonicalRecord[] = [];
  if (!pid) {
    missingSegment(ctx, "PID", `in ${ctx.msg.messageType}^${ctx.msg.trigger}`);
    return [];
  }
  const account = v(ctx, pid, 18, { comp: 1 });
  const visit = v(ctx, pv1, 19, { comp: 1 });
  if (isBar) {
    if (account !== null) records.push(patientAccount(ctx, account, pid, pv1));
    else warn(ctx, pid, "PID-18", "HL7-NO-ACCOUNT", "a patient account number", null, "no patient account record for this message");
    if (ft1s.length === 0) return records;
  } else if (ft1s.length === 0) {
    missingSegment(ctx, "FT1", "(a DFT carries its charges in FT1)");
    return [];
  }
  const noTarget = account === null && visit === null;
  if (noTarget) {
    err(ctx, pid, "PID-18", "HL7-NO-ACCOUNT", "an account number (PID-18) or visit number (PV1-19) to post the charges to", null);
  }
  // FT1-1 set id → transaction id, so FT1-31 can point at a sibling by set id.
  const idsBySetId = new Map<string, string>();
  const drafts = ft1s.map((ft1, index) => {
    const id = transactionId(ctx, ft1, index);
    const setId = v(ctx, ft1, 1);
    if (setId && id) idsBySetId.set(setId, id);
    return { ft1, id };
  });
  for (const { ft1, id } of drafts) {
    if (id === null) continue;
    // Mapped even without an account, so every FT1 problem is reported at once.
    const mapped = mapFt1(ctx, ft1, id, account, visit, pv1, idsBySetId);
    if (!noTarget) records.push(...mapped);
  }
  return records;
}

function transactionId(ctx: Ctx, ft1: Segment, index: number): string | null {
  const id = v(ctx, ft1, 2, { comp: 1 });
  if (id !== null) return id;
  const setId = v(ctx, ft1, 1) ?? String(index + 1);
  if (ctx.msg.controlId === null) {
    err(ctx, ft1, "FT1-2", "HL7-FT1-ID", "a transaction id", null, "MSH-10 is empty too, so no stable id can be made");
    return null;
  }
  const made = `${ctx.msg.controlId}-${setId}`;
  warn(ctx, ft1, "FT1-2", "HL7-FT1-ID", "a transaction id", null, `used "${made}" (MSH-10 + FT1-1)`);
  return made;
}

/** unitCents × quantity (a decimal string), or null when it is not a whole number of cents. */
function multiplyExact(unitCents: number, quantityText: string): number | null {
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(quantityText.trim().replace(/^(.*)-$/, "-$1"));
  if (!m) return null;
  const frac = (m[3] ?? "").replace(/0+$/, "");
  const scaled = BigInt((m[2] || "0") + frac) * BigInt(unitCents) * (m[1] === "-" ? -1n : 1n);
  const divisor = 10n ** BigInt(frac.length);
  if (scaled % divisor !== 0n) return null;
  const cents = Number(scaled / divisor);
  return Number.isSafeInteger(cents) ? cents : null;
}

function mapFt1(
  ctx: Ctx,
  ft1: Segment,
  transactionIdValue: string,
  account: string | null,
  visit: string | null,
  pv1: Segment | undefined,
  idsBySetId: Map<string, string>,
): CanonicalRecord[] {
  const errorsSoFar = () => ctx.issues.reduce((n, i) => (i.severity === "error" ? n + 1 : n), 0);
  const before = errorsSoFar();
  // STANDARDS B1: v2.1 swaps FT1-10 (extended amount) and FT1-11 (quantity).
  const v21 = ctx.msg.version === "2.1";
  const qtyField = v21 ? 11 : 10;
  const extField = v21 ? 10 : 11;
  const type = v(ctx, ft1, 6, { comp: 1 })?.toUpperCase() ?? null;
  const zpa = followingUsageSegment(ctx, ft1);
  const isUsage = type === SUPPLY_USAGE_TYPE || zpa !== undefined;

  if (type !== null && NON_CHARGE_TYPES.has(type)) {
    warn(
      ctx,
      ft1,
      "FT1-6",
      "HL7-FT1-NOT-CHARGE",
      "a charge or credit (CG, CD)",
      type,
      "payments and adjustments are not mapped as charges",
    );
    return [];
  }

  // Service date (DR: first component; its TS may carry a precision sub-component).
  const serviceText = v(ctx, ft1, 4, { comp: 1, sub: 1 });
  const serviceDate = hl7Date(serviceText);
  if (serviceDate === null) err(ctx, ft1, "FT1-4", "HL7-FT1-DATE", "a transaction date YYYYMMDD", serviceText);

  // Quantity: kept as text too, so unit × quantity can be done exactly.
  let qtyText = v(ctx, ft1, qtyField, { comp: 1 });
  if (qtyText === null) {
    warn(ctx, ft1, `FT1-${qtyField}`, "HL7-FT1-QTY", "a quantity", null, "taken as 1");
    qtyText = "1";
  }
  const qty = hl7Number(qtyText);
  if (qty === null) err(ctx, ft1, `FT1-${qtyField}`, "HL7-FT1-QTY", "a number", qtyText);

  // Amounts are CP: price (MO = quantity & denomination) ^ price type ^ …
  let unitCents: number | null = null;
  const unitText = v(ctx, ft1, 12, { comp: 1, sub: 1 });
  if (unitText !== null) {
    const parsed = parseDecimalToCents(unitText);
    if (parsed.ok) unitCents = parsed.cents;
    else err(ctx, ft1, "FT1-12", "HL7-FT1-AMOUNT", "a decimal amount", unitText);
  }
  let amountCents: number | null = null;
  const extText = v(ctx, ft1, extField, { comp: 1, sub: 1 });
  if (extText !== null) {
    const parsed = parseDecimalToCents(extText);
    if (parsed.ok) amountCents = parsed.cents;
    else err(ctx, ft1, `FT1-${extField}`, "HL7-FT1-AMOUNT", "a decimal amount", extText);
  } else if (unitCents !== null && qty !== null) {
    amountCents = multiplyExact(unitCents, qtyText);
    if (amountCents === null)
      err(ctx, ft1, "FT1-12", "HL7-FT1-AMOUNT", `a unit amount that times the quantity ${qtyText} gives whole cents`, unitText);
  } else if (unitText === null && !isUsage) {
    err(ctx, ft1, `FT1-${extField}`, "HL7-FT1-AMOUNT", "an extended amount (or a unit amount in FT1-12)", null);
  }

  const cdmCode = v(ctx, ft1, 7, { comp: 1 });
  if (cdmCode === null && !isUsage) err(ctx, ft1, "FT1-7", "HL7-FT1-CODE", "a charge code (CDM)", rawField(ft1, 7));

  const after = errorsSoFar();
  if (after > before || serviceDate === null || qty === null) return [];

  // Credits: no standard sign rule (STANDARDS B1). CD/CR with positive values are
  // negated; a negative quantity or amount on any type also makes the line a credit.
  let quantity = qty;
  let amount = amountCents ?? 0;
  const credit = (type !== null && CREDIT_TYPES.has(type)) || quantity < 0 || amount < 0;
  if ((quantity < 0 && amount > 0) || (quantity > 0 && amount < 0)) {
    warn(
      ctx,
      ft1,
      `FT1-${qtyField}`,
      "HL7-FT1-SIGN",
      "quantity and amount with the same sign",
      `${qtyText} × ${extText ?? unitText ?? ""}`,
      "read as a credit",
    );
  }
  if (credit) {
    quantity = -Math.abs(quantity);
    amount = -Math.abs(amount);
  }
  const unitAmountCents = unitCents === null ? null : Math.abs(unitCents);

  // Reversal: FT1-31 (v2.6+ transaction reference key) names the transaction reversed.
  // Its meaning is not pinned down (STANDARDS B1 [?]): senders put either the original
  // FT1-2 or the set id of a sibling FT1 in this message; we resolve the latter.
  const ref = v(ctx, ft1, 31, { comp: 1 });
  const sibling = ref === null ? undefined : idsBySetId.get(ref);
  const reversesTransactionId = ref === null ? null : sibling !== undefined && sibling !== transactionIdValue ? sibling : ref;

  const departmentCode = v(ctx, ft1, 13, { comp: 1 });
  const records: CanonicalRecord[] = [];
  if (!isUsage) {
    const charge: Charge = {
      type: "charge",
      system: ctx.system,
      transactionId: transactionIdValue,
      accountNumber: account,
      visitNumber: visit,
      cdmCode: cdmCode!,
      revenueCode: v(ctx, ft1, 41, { comp: 1 }),
      departmentCode,
      quantity,
      amountCents: amount,
      unitAmountCents,
      serviceDate,
      postingDate: optionalDate(ctx, ft1, 5, "FT1-5", { comp: 1 }),
      transactionType: type,
      performingNpi: providerId(ctx, ft1, 20),
      description: v(ctx, ft1, 8) ?? v(ctx, ft1, 7, { comp: 2 }),
      reversesTransactionId,
    };
    records.push(charge);
  }

  if (isUsage) {
    const supplyCode = v(ctx, ft1, 34, { comp: 1 }) ?? cdmCode;
    if (supplyCode === null) {
      err(ctx, ft1, "FT1-34", "HL7-SUPPLY-CODE", "a supply item number (FT1-34, or FT1-7)", null);
      return [];
    }
    const usage: SupplyUsage = {
      type: "supplyUsage",
      system: ctx.system,
      usageId: transactionIdValue,
      accountNumber: account,
      visitNumber: visit,
      supplyCode,
      locationCode: v(ctx, zpa, 1, { comp: 1 }) ?? v(ctx, ft1, 16, { comp: 1 }) ?? v(ctx, pv1, 3, { comp: 1 }),
      departmentCode,
      quantity,
      usedDate: serviceDate,
      implant: v(ctx, zpa, 4)?.toUpperCase() === "Y",
      lotNumber: v(ctx, zpa, 2),
      serialNumber: v(ctx, zpa, 3),
      cdmCode: cdmCode !== null && cdmCode !== supplyCode ? cdmCode : null,
    };
    records.push(usage);
  }
  return records;
}

/** The usage segment (ZPA) right after this FT1 (before the next FT1), if any. */
function followingUsageSegment(ctx: Ctx, ft1: Segment): Segment | undefined {
  const all = ctx.msg.segments;
  for (let i = all.indexOf(ft1) + 1; i < all.length; i++) {
    const s = all[i]!;
    if (s.id === "FT1") return undefined;
    if (s.id === SUPPLY_USAGE_SEGMENT) return s;
  }
  return undefined;
}

// ---------------------------------------------------------------- MFN

interface MasterEntry {
  mfe: Segment;
  /** MFE-1 record-level event: MAD add, MUP update, MDL delete, MDC deactivate, MAC reactivate. */
  event: string | null;
  body: Segment[];
}

function masterEntries(ctx: Ctx): MasterEntry[] {
  const out: MasterEntry[] = [];
  let current: MasterEntry | null = null;
  for (const s of ctx.msg.segments) {
    if (s.id === "MFE") {
      current = { mfe: s, event: v(ctx, s, 1)?.toUpperCase() ?? null, body: [] };
      out.push(current);
    } else if (current) current.body.push(s);
  }
  if (out.length === 0) missingSegment(ctx, "MFE", "(a master file notification carries one per record)");
  return out;
}

function isRemoval(entry: MasterEntry): boolean {
  return entry.event === "MDL" || entry.event === "MDC";
}

/** Deletes of record types with no `active` flag cannot be represented: say so. */
function removalNotRepresentable(ctx: Ctx, entry: MasterEntry, what: string, key: string | null): void {
  warn(
    ctx,
    entry.mfe,
    "MFE-1",
    "HL7-MFN-DELETE",
    "MAD, MUP or MAC for a " + what,
    entry.event,
    `the canonical ${what} has no active flag; delete of "${key ?? "?"}" not loaded`,
  );
}

/**
 * MFN^M02 staff (MFE STF [PRA] …) → provider. The NPI is PRA-6 (PLN) of type NPI,
 * else an STF-2 identifier (CE/CWE .3 coding system or CX .5 type) of type NPI, else
 * STF-1 with coding system NPI. No NPI → error: a provider is keyed by NPI.
 */
function mapStaff(ctx: Ctx): CanonicalRecord[] {
  const records: CanonicalRecord[] = [];
  for (const entry of masterEntries(ctx)) {
    const stf = entry.body.find((s) => s.id === "STF");
    const pra = entry.body.find((s) => s.id === "PRA");
    if (!stf) {
      err(ctx, entry.mfe, "STF", "HL7-MISSING-SEGMENT", "an STF segment after this MFE", null);
      continue;
    }
    let npi: string | null = null;
    if (pra) {
      for (let rep = 0; rep < repetitionCount(pra, 6, ctx.d) && !npi; rep++) {
        if (v(ctx, pra, 6, { rep, comp: 2 })?.toUpperCase() === "NPI") npi = v(ctx, pra, 6, { rep, comp: 1 });
      }
    }
    for (let rep = 0; rep < repetitionCount(stf, 2, ctx.d) && !npi; rep++) {
      const t3 = v(ctx, stf, 2, { rep, comp: 3 })?.toUpperCase();
      const t5 = v(ctx, stf, 2, { rep, comp: 5 })?.toUpperCase();
      if (t3 === "NPI" || t5 === "NPI") npi = v(ctx, stf, 2, { rep, comp: 1 });
    }
    if (!npi && v(ctx, stf, 1, { comp: 3 })?.toUpperCase() === "NPI") npi = v(ctx, stf, 1, { comp: 1 });
    if (!npi) {
      err(
        ctx,
        pra ?? stf,
        pra ? "PRA-6" : "STF-2",
        "HL7-NO-NPI",
        "a practitioner id of type NPI (PRA-6, STF-2 or STF-1)",
        rawField(pra, 6) ?? rawField(stf, 2),
      );
      continue;
    }
    const provider: Provider = {
      type: "provider",
      system: ctx.system,
      npi,
      name: personName(ctx, stf, 3),
      specialty: v(ctx, pra, 5, { comp: 1 }),
      departmentCode: v(ctx, stf, 8, { comp: 1 }),
      // STF-7 active/inactive flag (A/I); an MDL/MDC record event deactivates.
      active: !isRemoval(entry) && v(ctx, stf, 7)?.toUpperCase() !== "I",
    };
    records.push(provider);
  }
  return records;
}

/**
 * MFN^M04 (MFE CDM [PRC]) → charge master entries. CDM-1 charge code, CDM-4 long
 * description (else CDM-3 short); PRC-3 department and PRC-5 price of the first PRC.
 * The CDM segment has no revenue-code field; sites put the UB-04 revenue code in the
 * PRC billing category (PRC-13, user-defined table 0293).
 */
function mapChargeMaster(ctx: Ctx): CanonicalRecord[] {
  const records: CanonicalRecord[] = [];
  for (const entry of masterEntries(ctx)) {
    const cdm = entry.body.find((s) => s.id === "CDM");
    const prc = entry.body.find((s) => s.id === "PRC");
    const code = v(ctx, cdm, 1, { comp: 1 }) ?? v(ctx, entry.mfe, 4, { comp: 1 });
    if (!cdm || code === null) {
      err(ctx, cdm ?? entry.mfe, "CDM-1", "HL7-MFN-KEY", "a charge code", rawField(cdm, 1));
      continue;
    }
    if (isRemoval(entry)) {
      removalNotRepresentable(ctx, entry, "charge master entry", code);
      continue;
    }
    let priceCents: number | null = null;
    const priceText = v(ctx, prc, 5, { comp: 1, sub: 1 });
    if (priceText !== null) {
      const parsed = parseDecimalToCents(priceText);
      if (parsed.ok) priceCents = parsed.cents;
      else {
        err(ctx, prc, "PRC-5", "HL7-MFN-PRICE", "a decimal amount", priceText);
        continue;
      }
    }
    const entryRecord: ChargeMasterEntry = {
      type: "chargeMasterEntry",
      system: ctx.system,
      cdmCode: code,
      description: v(ctx, cdm, 4) ?? v(ctx, cdm, 3),
      revenueCode: chargeMasterRevenueCode(ctx, prc),
      departmentCode: v(ctx, prc, 3, { comp: 1 }),
      priceCents,
    };
    records.push(entryRecord);
  }
  return records;
}

/**
 * PRC-13 billing category as the revenue code. Our synthetic EHR sends it one field
 * later, in PRC-14 (the chargeable flag, Y/N, in v2.5): a PRC-14 that is plainly not a
 * flag (coding system NUBC, or 3–4 digits) is read as the revenue code too.
 */
function chargeMasterRevenueCode(ctx: Ctx, prc: Segment | undefined): string | null {
  const category = v(ctx, prc, 13, { comp: 1 });
  if (category !== null) return category;
  const flag = v(ctx, prc, 14, { comp: 1 });
  if (flag !== null && (v(ctx, prc, 14, { comp: 3 })?.toUpperCase() === "NUBC" || /^\d{3,4}$/.test(flag))) return flag;
  return null;
}

/**
 * MFN^M05 (MFE LOC {LDP}) → a location per LOC and a department per LDP.
 * LOC-1 is PL: the point of care is the location code, PL.4 the facility; LOC-2 the
 * name. LDP-2 is the location's department (code ^ name), the first one becomes the
 * location's department.
 */
function mapLocations(ctx: Ctx): CanonicalRecord[] {
  const records: CanonicalRecord[] = [];
  const seenDepartments = new Set<string>();
  for (const entry of masterEntries(ctx)) {
    const loc = entry.body.find((s) => s.id === "LOC");
    const ldps = entry.body.filter((s) => s.id === "LDP");
    const code = v(ctx, loc, 1, { comp: 1 }) ?? v(ctx, entry.mfe, 4, { comp: 1 });
    if (!loc || code === null) {
      err(ctx, loc ?? entry.mfe, "LOC-1", "HL7-MFN-KEY", "a location code (PL.1)", rawField(loc, 1));
      continue;
    }
    if (isRemoval(entry)) {
      removalNotRepresentable(ctx, entry, "location", code);
      continue;
    }
    const facility = v(ctx, loc, 1, { comp: 4, sub: 1 });
    const location: Location = {
      type: "location",
      system: ctx.system,
      code,
      name: v(ctx, loc, 2),
      departmentCode: v(ctx, ldps[0], 2, { comp: 1 }),
      facilityCode: facility,
    };
    records.push(location);
    for (const ldp of ldps) {
      const dept = v(ctx, ldp, 2, { comp: 1 });
      // Many locations share a department: one department record per code per message.
      if (dept !== null && seenDepartments.has(dept)) continue;
      if (dept !== null) seenDepartments.add(dept);
      if (dept === null) {
        warn(ctx, ldp, "LDP-2", "HL7-MFN-KEY", "a department code", null, "LDP skipped");
        continue;
      }
      const department: Department = {
        type: "department",
        system: ctx.system,
        code: dept,
        name: v(ctx, ldp, 2, { comp: 2 }),
        costCenter: null,
        facilityCode: v(ctx, ldp, 1, { comp: 4, sub: 1 }) ?? facility,
      };
      records.push(department);
    }
  }
  return records;
}

/**
 * MFN^M15 (MFE IIM, v2.5) and MFN^M16 (MFE ITM …, v2.6+) → items.
 * IIM: IIM-1 item code ^ description, IIM-2 service item code (the chargeable CDM
 *   code), IIM-9 received quantity unit, IIM-10 received item cost.
 * ITM: ITM-1 item id, ITM-2 description, ITM-11 patient chargeable (Y/N), ITM-12
 *   transaction (charge) code; unit of measure from PKG-2 and cost from PKG-5 of the
 *   first VND/PKG when present.
 * Implant: ITM-4 item type or ITM-5 item category (user-defined tables) reading
 *   "IMP" or "IMPLANT"; our synthetic EHR sends ITM-5 "IMPLANT".
 */
const IMPLANT_CODES = new Set(["IMP", "IMPLANT"]);

function mapItems(ctx: Ctx, trigger: string): CanonicalRecord[] {
  const records: CanonicalRecord[] = [];
  const segId = trigger === "M15" ? "IIM" : "ITM";
  for (const entry of masterEntries(ctx)) {
    const s = entry.body.find((b) => b.id === segId) ?? entry.body.find((b) => b.id === "IIM" || b.id === "ITM");
    const code = v(ctx, s, 1, { comp: 1 }) ?? v(ctx, entry.mfe, 4, { comp: 1 });
    if (!s || code === null) {
      err(ctx, s ?? entry.mfe, `${segId}-1`, "HL7-MFN-KEY", "an item number", rawField(s, 1));
      continue;
    }
    if (isRemoval(entry)) {
      removalNotRepresentable(ctx, entry, "item", code);
      continue;
    }
    let item: Item;
    const cents = (seg: Segment | undefined, field: number, ref: string): number | null | undefined => {
      const text = v(ctx, seg, field, { comp: 1, sub: 1 });
      if (text === null) return null;
      const parsed = parseDecimalToCents(text);
      if (parsed.ok) return parsed.cents;
      err(ctx, seg, ref, "HL7-MFN-PRICE", "a decimal amount", text);
      return undefined;
    };
    if (s.id === "IIM") {
      const cost = cents(s, 10, "IIM-10");
      if (cost === undefined) continue;
      const cdmCode = v(ctx, s, 2, { comp: 1 });
      item = {
        type: "item",
        system: ctx.system,
        itemNumber: code,
        description: v(ctx, s, 1, { comp: 2 }),
        unitOfMeasure: v(ctx, s, 9, { comp: 1 }),
        unitCostCents: cost,
        chargeable: cdmCode !== null,
        cdmCode,
        implant: false,
      };
    } else {
      const pkg = entry.body.find((b) => b.id === "PKG");
      const cost = cents(pkg, 5, "PKG-5");
      if (cost === undefined) continue;
      const cdmCode = v(ctx, s, 12, { comp: 1 });
      const chargeFlag = v(ctx, s, 11)?.toUpperCase();
      item = {
        type: "item",
        system: ctx.system,
        itemNumber: code,
        description: v(ctx, s, 2),
        unitOfMeasure: v(ctx, pkg, 2, { comp: 1 }),
        unitCostCents: cost,
        chargeable: chargeFlag === undefined ? cdmCode !== null : chargeFlag === "Y",
        cdmCode,
        implant: [v(ctx, s, 4, { comp: 1 }), v(ctx, s, 5, { comp: 1 })].some((t) => t !== null && IMPLANT_CODES.has(t.toUpperCase())),
      };
    }
    records.push(item);
  }
  return records;
}
