/**
 * The canonical fields a column can map to, per record type, with their kind and whether
 * they are required. One table, checked against src-shared/model.ts by the type system:
 * `satisfies FieldCatalogTable` fails to compile when a model field is added, removed or
 * renamed, when a nullable field is marked required (or the reverse), or when a kind does
 * not fit the field's TypeScript type (fieldCatalog.test.ts asserts the same at test time).
 *
 * `type` and `system` are not listed: `type` is the profile's recordType and `system` the
 * profile's system.
 */
import type { CanonicalRecord, CanonicalType } from "../../src-shared/model";

/**
 * text: any string; cents: integer minor units; number: a plain number; date: YYYY-MM-DD;
 * instant: ISO-8601 UTC timestamp (a date alone is accepted and kept as a date);
 * boolean: true/false.
 */
export type FieldKind = "text" | "cents" | "number" | "date" | "instant" | "boolean";

export interface FieldSpec {
  kind: FieldKind;
  /** Non-nullable in the model: a row without it cannot be loaded. */
  required: boolean;
  /** For string unions (EncounterStatus, ClaimKind, …): the allowed values. */
  values?: readonly string[];
}

export interface CatalogField extends FieldSpec {
  name: string;
}

type RecordOf<T extends CanonicalType> = Extract<CanonicalRecord, { type: T }>;
type FieldName<T extends CanonicalType> = Exclude<keyof RecordOf<T>, "type" | "system">;
type KindFor<V> = [NonNullable<V>] extends [number]
  ? "cents" | "number"
  : [NonNullable<V>] extends [boolean]
    ? "boolean"
    : [NonNullable<V>] extends [string]
      ? "text" | "date" | "instant"
      : never;
/** One field's spec as the model's type allows it: `required` must equal "not nullable". */
type SpecFor<V> = { kind: KindFor<V>; required: null extends V ? false : true; values?: readonly NonNullable<V>[] };
export type FieldCatalogTable = {
  [T in CanonicalType]: { [F in FieldName<T>]-?: SpecFor<RecordOf<T>[F]> };
};

const t = { kind: "text", required: true } as const;
const t0 = { kind: "text", required: false } as const;
const c = { kind: "cents", required: true } as const;
const c0 = { kind: "cents", required: false } as const;
const n = { kind: "number", required: true } as const;
const n0 = { kind: "number", required: false } as const;
const d = { kind: "date", required: true } as const;
const d0 = { kind: "date", required: false } as const;
const i0 = { kind: "instant", required: false } as const;
const b = { kind: "boolean", required: true } as const;

export const FIELD_CATALOG = {
  patientAccount: { accountNumber: t, mrn: t0, patientName: t0, birthDate: d0, financialClass: t0, primaryPayerId: t0 },
  encounter: {
    visitNumber: t,
    accountNumber: t0,
    mrn: t0,
    patientClass: t0,
    facilityCode: t0,
    locationCode: t0,
    departmentCode: t0,
    attendingNpi: t0,
    admitAt: i0,
    dischargeAt: i0,
    status: { kind: "text", required: true, values: ["active", "discharged", "cancelled"] },
    lastEvent: t0,
    financialClass: t0,
  },
  charge: {
    transactionId: t,
    accountNumber: t0,
    visitNumber: t0,
    cdmCode: t,
    revenueCode: t0,
    departmentCode: t0,
    quantity: n,
    amountCents: c,
    unitAmountCents: c0,
    serviceDate: d,
    postingDate: d0,
    transactionType: t0,
    performingNpi: t0,
    description: t0,
    reversesTransactionId: t0,
  },
  supplyUsage: {
    usageId: t,
    accountNumber: t0,
    visitNumber: t0,
    supplyCode: t,
    locationCode: t0,
    departmentCode: t0,
    quantity: n,
    usedDate: d,
    implant: b,
    lotNumber: t0,
    serialNumber: t0,
    cdmCode: t0,
  },
  claim: {
    claimId: t,
    kind: { kind: "text", required: true, values: ["professional", "institutional"] },
    accountNumber: t0,
    payerId: t0,
    payerName: t0,
    billingNpi: t0,
    totalChargeCents: c,
    frequencyCode: t0,
    serviceFrom: d0,
    serviceTo: d0,
    interchangeRef: t0,
  },
  claimLine: {
    claimId: t,
    lineNumber: n,
    procedureCode: t0,
    modifiers: t0,
    revenueCode: t0,
    chargeCents: c,
    units: n0,
    serviceDate: d0,
    lineControl: t0,
  },
  remittancePayment: {
    traceNumber: t,
    payerIdentifier: t0,
    payerName: t0,
    payeeNpi: t0,
    payeeName: t0,
    amountCents: c,
    creditDebit: t0,
    paymentMethod: t0,
    paymentDate: d0,
    balanced: b,
  },
  claimPayment: {
    traceNumber: t,
    claimId: t,
    statusCode: t,
    chargeCents: c,
    paidCents: c,
    patientResponsibilityCents: c0,
    payerClaimControl: t0,
    sequence: n,
  },
  servicePayment: {
    traceNumber: t,
    claimId: t,
    claimSequence: n,
    sequence: n,
    procedureCode: t0,
    revenueCode: t0,
    chargeCents: c,
    paidCents: c,
    units: n0,
    lineControl: t0,
    serviceDate: d0,
  },
  remittanceAdjustment: {
    traceNumber: t,
    claimId: t,
    claimSequence: n,
    serviceSequence: n0,
    groupCode: t,
    reasonCode: t,
    amountCents: c,
    quantity: n0,
  },
  providerAdjustment: {
    traceNumber: t,
    providerId: t,
    fiscalPeriodDate: d0,
    reasonCode: t,
    reference: t0,
    amountCents: c,
    sequence: n,
  },
  bankTransaction: {
    bankTransactionId: t,
    bankAccount: t,
    currency: t0,
    asOfDate: d,
    typeCode: t,
    amountCents: c,
    bankReference: t0,
    customerReference: t0,
    text: t0,
    reassociationTrace: t0,
    reassociationPayerId: t0,
  },
  journalLine: {
    journalId: t,
    lineNumber: n,
    ledger: t0,
    period: t,
    accountingDate: d,
    account: t,
    costCenter: t0,
    departmentCode: t0,
    debitCents: c,
    creditCents: c,
    description: t0,
    journalSource: t0,
    reference: t0,
  },
  inventoryTransaction: {
    transactionId: t,
    itemNumber: t,
    locationCode: t,
    transactionType: { kind: "text", required: true, values: ["issue", "receipt", "adjustment", "transfer"] },
    quantity: n,
    unitCostCents: c0,
    transactionDate: d,
    costCenter: t0,
    reference: t0,
    lotNumber: t0,
    serialNumber: t0,
  },
  onHandBalance: { itemNumber: t, locationCode: t, asOfDate: d, quantity: n, unitCostCents: c0 },
  provider: { npi: t, name: t0, specialty: t0, departmentCode: t0, active: b },
  department: { code: t, name: t0, costCenter: t0, facilityCode: t0 },
  costCenter: { code: t, name: t0, active: b },
  location: { code: t, name: t0, departmentCode: t0, facilityCode: t0 },
  item: {
    itemNumber: t,
    description: t0,
    unitOfMeasure: t0,
    unitCostCents: c0,
    chargeable: b,
    cdmCode: t0,
    implant: b,
  },
  chargeMasterEntry: { cdmCode: t, description: t0, revenueCode: t0, departmentCode: t0, priceCents: c0 },
  payer: { payerId: t, name: t0, eftOriginatorId: t0 },
  crosswalk: {
    kind: {
      kind: "text",
      required: true,
      values: ["cdm-gl-account", "department-cost-center", "supply-item", "payer-gl-account"],
    },
    fromCode: t,
    toCode: t,
    effectiveFrom: d0,
    effectiveTo: d0,
  },
} as const satisfies FieldCatalogTable;

export const CANONICAL_TYPES = Object.keys(FIELD_CATALOG) as CanonicalType[];

/** The fields of a record type, in model order, with kind and required flag. */
export function fieldCatalog(recordType: CanonicalType): CatalogField[] {
  const table: Record<string, FieldSpec> = FIELD_CATALOG[recordType];
  return Object.entries(table).map(([name, spec]) => ({ name, ...spec }));
}

/** Names of the fields a row must carry (non-nullable in the model). */
export function requiredFields(recordType: CanonicalType): string[] {
  return fieldCatalog(recordType)
    .filter((f) => f.required)
    .map((f) => f.name);
}

/**
 * The natural key of a record type whose rows are immutable transactions: the row's
 * controlId is `${recordType}:${key}`, so a re-sent row is recognised as a duplicate.
 * Master data, encounters and claims are left out on purpose: their rows change under the
 * same key (an updated provider, a replacement claim), and the ingest treats a known
 * controlId as "already have it", so those rows are recognised by their bytes instead.
 */
export const NATURAL_KEYS: Partial<Record<CanonicalType, readonly string[]>> = {
  charge: ["transactionId"],
  journalLine: ["journalId", "lineNumber"],
  inventoryTransaction: ["transactionId"],
  supplyUsage: ["usageId"],
  bankTransaction: ["bankTransactionId"],
};
