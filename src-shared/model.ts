/**
 * The canonical model: what every connector produces and every reconciliation reads.
 * Pure data, no behaviour. Money is integer cents (`*Cents`), calendar dates are
 * `YYYY-MM-DD`, instants are ISO-8601 UTC timestamps. Optional fields are `null`
 * when the source did not carry them, never guessed.
 *
 * Each record names the `system` it came from, because the same kind of record
 * (a charge, a provider) exists in several systems and reconciliations compare them.
 */

/** The systems a health system's data comes from. */
export type SourceSystem = "ehr" | "billing" | "payer" | "bank" | "erp";

/** Wire formats Tieout reads. */
export type SourceFormat = "hl7v2" | "x12-835" | "x12-837" | "bai2" | "fhir" | "csv" | "xlsx";

// ---------------------------------------------------------------- errors as values

/** Where in an input a problem is. Every field that applies is filled. */
export interface SourceLocation {
  file?: string;
  /** 1-based physical line in the file (or the record's first line). */
  line?: number;
  /** Segment or record id, e.g. "FT1", "CLP", "16", or a CSV row number as text. */
  segment?: string;
  /** Field reference, e.g. "FT1-11", "CLP04", "amount". */
  field?: string;
}

/** A problem a user can meet in their data. `message` reads well on its own. */
export interface ParseIssue {
  code: string;
  severity: "error" | "warning";
  message: string;
  where: SourceLocation;
  expected?: string;
  found?: string;
}

// ---------------------------------------------------------------- ehr / billing

export interface PatientAccount {
  type: "patientAccount";
  system: SourceSystem;
  /** PID-18 / billing account number: the billing key. */
  accountNumber: string;
  mrn: string | null;
  patientName: string | null;
  birthDate: string | null;
  financialClass: string | null;
  primaryPayerId: string | null;
}

export type EncounterStatus = "active" | "discharged" | "cancelled";

export interface Encounter {
  type: "encounter";
  system: SourceSystem;
  /** PV1-19 visit number. */
  visitNumber: string;
  accountNumber: string | null;
  mrn: string | null;
  /** PV1-2 patient class (table 0004): I, O, E, ... */
  patientClass: string | null;
  facilityCode: string | null;
  locationCode: string | null;
  departmentCode: string | null;
  attendingNpi: string | null;
  admitAt: string | null;
  dischargeAt: string | null;
  status: EncounterStatus;
  /** The ADT trigger that produced this state (A01, A04, A08, A03, A11, A13). */
  lastEvent: string | null;
  financialClass: string | null;
}

export interface Charge {
  type: "charge";
  system: SourceSystem;
  /** FT1-2 or the billing system's transaction id; unique within a system. */
  transactionId: string;
  accountNumber: string | null;
  visitNumber: string | null;
  /** FT1-7 charge code (CDM). */
  cdmCode: string;
  revenueCode: string | null;
  departmentCode: string | null;
  /** Signed: credits and reversals are negative. */
  quantity: number;
  /** Signed extended amount. */
  amountCents: number;
  unitAmountCents: number | null;
  /** FT1-4 transaction (service) date. */
  serviceDate: string;
  /** FT1-5 posting date, or the billing system's post date. */
  postingDate: string | null;
  /** FT1-6 (CG, CD, ...). */
  transactionType: string | null;
  performingNpi: string | null;
  description: string | null;
  /** transactionId of the charge this one reverses, when the source says so. */
  reversesTransactionId: string | null;
}

export interface SupplyUsage {
  type: "supplyUsage";
  system: SourceSystem;
  usageId: string;
  accountNumber: string | null;
  visitNumber: string | null;
  /** The EHR's supply code (crosswalked to an ERP item). */
  supplyCode: string;
  locationCode: string | null;
  departmentCode: string | null;
  quantity: number;
  usedDate: string;
  implant: boolean;
  lotNumber: string | null;
  serialNumber: string | null;
  cdmCode: string | null;
}

export type ClaimKind = "professional" | "institutional";

export interface Claim {
  type: "claim";
  system: SourceSystem;
  /** CLM01 patient control number (= CLP01 on the remittance). */
  claimId: string;
  kind: ClaimKind;
  accountNumber: string | null;
  payerId: string | null;
  payerName: string | null;
  billingNpi: string | null;
  totalChargeCents: number;
  /** CLM05-3 frequency: 1 original, 7 replacement, 8 void. */
  frequencyCode: string | null;
  serviceFrom: string | null;
  serviceTo: string | null;
  /** Transaction set control id (ISA13/GS06/ST02) the claim came in. */
  interchangeRef: string | null;
}

export interface ClaimLine {
  type: "claimLine";
  system: SourceSystem;
  claimId: string;
  lineNumber: number;
  procedureCode: string | null;
  modifiers: string | null;
  revenueCode: string | null;
  chargeCents: number;
  units: number | null;
  serviceDate: string | null;
  /** REF*6R line item control number, echoed on the 835. */
  lineControl: string | null;
}

// ---------------------------------------------------------------- remittance (835)

export interface RemittancePayment {
  type: "remittancePayment";
  system: SourceSystem;
  /** TRN02: check or EFT trace number. */
  traceNumber: string;
  /** TRN03: "1" + payer TIN (= BPR10). */
  payerIdentifier: string | null;
  payerName: string | null;
  payeeNpi: string | null;
  payeeName: string | null;
  /** BPR02 total actual provider payment. */
  amountCents: number;
  creditDebit: string | null;
  /** BPR04: ACH, CHK, NON, ... */
  paymentMethod: string | null;
  /** BPR16: EFT effective date or check date. */
  paymentDate: string | null;
  /** True when BPR02 = ΣCLP04 − ΣPLB holds for this transaction. */
  balanced: boolean;
}

export interface ClaimPayment {
  type: "claimPayment";
  system: SourceSystem;
  traceNumber: string;
  /** CLP01 = CLM01. */
  claimId: string;
  /** CLP02 claim status (1, 2, 3, 4 denied, 22 reversal, ...). */
  statusCode: string;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents: number | null;
  /** CLP07 payer claim control number. */
  payerClaimControl: string | null;
  /** Sequence of this CLP within its 835 transaction (0-based), for a stable identity. */
  sequence: number;
}

export interface ServicePayment {
  type: "servicePayment";
  system: SourceSystem;
  traceNumber: string;
  claimId: string;
  claimSequence: number;
  sequence: number;
  procedureCode: string | null;
  revenueCode: string | null;
  chargeCents: number;
  paidCents: number;
  units: number | null;
  lineControl: string | null;
  serviceDate: string | null;
}

export interface RemittanceAdjustment {
  type: "remittanceAdjustment";
  system: SourceSystem;
  traceNumber: string;
  claimId: string;
  claimSequence: number;
  /** null for claim-level CAS; the SVC's sequence for line-level CAS. */
  serviceSequence: number | null;
  /** CO, PR, OA, PI (5010) — CR also appears in 4010. */
  groupCode: string;
  /** CARC. */
  reasonCode: string;
  amountCents: number;
  quantity: number | null;
}

export interface ProviderAdjustment {
  type: "providerAdjustment";
  system: SourceSystem;
  traceNumber: string;
  providerId: string;
  fiscalPeriodDate: string | null;
  /** PLB03-1, e.g. WO, L6, 72, FB, CS. */
  reasonCode: string;
  reference: string | null;
  /** Positive reduces the payment. */
  amountCents: number;
  sequence: number;
}

// ---------------------------------------------------------------- bank (BAI2)

export interface BankTransaction {
  type: "bankTransaction";
  system: SourceSystem;
  /** A stable id: file id + account + record position, or the bank reference. */
  bankTransactionId: string;
  bankAccount: string;
  currency: string | null;
  asOfDate: string;
  /** BAI type code, e.g. 165 preauthorized ACH credit. */
  typeCode: string;
  /** Credits positive, debits negative. */
  amountCents: number;
  bankReference: string | null;
  customerReference: string | null;
  text: string | null;
  /** TRN02 found in the CCD+ addenda (healthcare EFT reassociation), if any. */
  reassociationTrace: string | null;
  /** TRN03 found in the addenda, if any. */
  reassociationPayerId: string | null;
}

// ---------------------------------------------------------------- ERP

export interface JournalLine {
  type: "journalLine";
  system: SourceSystem;
  journalId: string;
  lineNumber: number;
  ledger: string | null;
  /** Accounting period YYYY-MM. */
  period: string;
  accountingDate: string;
  account: string;
  costCenter: string | null;
  departmentCode: string | null;
  debitCents: number;
  creditCents: number;
  description: string | null;
  journalSource: string | null;
  reference: string | null;
}

export type InventoryTransactionType = "issue" | "receipt" | "adjustment" | "transfer";

export interface InventoryTransaction {
  type: "inventoryTransaction";
  system: SourceSystem;
  transactionId: string;
  itemNumber: string;
  locationCode: string;
  transactionType: InventoryTransactionType;
  /** Signed: issues are negative. */
  quantity: number;
  unitCostCents: number | null;
  transactionDate: string;
  costCenter: string | null;
  /** Case, account or order the movement was for. */
  reference: string | null;
  lotNumber: string | null;
  serialNumber: string | null;
}

export interface OnHandBalance {
  type: "onHandBalance";
  system: SourceSystem;
  itemNumber: string;
  locationCode: string;
  asOfDate: string;
  quantity: number;
  unitCostCents: number | null;
}

// ---------------------------------------------------------------- masters

export interface Provider {
  type: "provider";
  system: SourceSystem;
  npi: string;
  name: string | null;
  specialty: string | null;
  departmentCode: string | null;
  active: boolean;
}

export interface Department {
  type: "department";
  system: SourceSystem;
  code: string;
  name: string | null;
  costCenter: string | null;
  facilityCode: string | null;
}

export interface CostCenter {
  type: "costCenter";
  system: SourceSystem;
  code: string;
  name: string | null;
  active: boolean;
}

export interface Location {
  type: "location";
  system: SourceSystem;
  code: string;
  name: string | null;
  departmentCode: string | null;
  facilityCode: string | null;
}

export interface Item {
  type: "item";
  system: SourceSystem;
  itemNumber: string;
  description: string | null;
  unitOfMeasure: string | null;
  unitCostCents: number | null;
  chargeable: boolean;
  cdmCode: string | null;
  implant: boolean;
}

export interface ChargeMasterEntry {
  type: "chargeMasterEntry";
  system: SourceSystem;
  cdmCode: string;
  description: string | null;
  revenueCode: string | null;
  departmentCode: string | null;
  priceCents: number | null;
}

export interface Payer {
  type: "payer";
  system: SourceSystem;
  payerId: string;
  name: string | null;
  /** TRN03 / BPR10 originator id as it appears on ERAs and EFTs. */
  eftOriginatorId: string | null;
}

export type CrosswalkKind = "cdm-gl-account" | "department-cost-center" | "supply-item" | "payer-gl-account";

export interface Crosswalk {
  type: "crosswalk";
  system: SourceSystem;
  kind: CrosswalkKind;
  fromCode: string;
  toCode: string;
  effectiveFrom: string | null;
  effectiveTo: string | null;
}

/** Everything a connector can produce. */
export type CanonicalRecord =
  | PatientAccount
  | Encounter
  | Charge
  | SupplyUsage
  | Claim
  | ClaimLine
  | RemittancePayment
  | ClaimPayment
  | ServicePayment
  | RemittanceAdjustment
  | ProviderAdjustment
  | BankTransaction
  | JournalLine
  | InventoryTransaction
  | OnHandBalance
  | Provider
  | Department
  | CostCenter
  | Location
  | Item
  | ChargeMasterEntry
  | Payer
  | Crosswalk;

export type CanonicalType = CanonicalRecord["type"];

// ---------------------------------------------------------------- connector output

/**
 * One raw record as it arrived: an HL7 message, an X12 transaction set (ST..SE with
 * its envelope), a BAI2 account block, a CSV row. It is archived verbatim before it
 * is mapped, and every canonical row it yields points back to it.
 */
export interface RawUnit {
  /** e.g. "hl7v2-message", "x12-transaction", "bai2-account", "csv-row", "fhir-resource". */
  kind: string;
  /** A natural id used to recognise a re-sent unit (MSH-10, ISA13/GS06/ST02, ...), if any. */
  controlId: string | null;
  /** Exact text of the unit as it appeared in the input. */
  text: string;
  /** 1-based line in the file where the unit starts. */
  line: number;
  /** Records mapped from this unit. Empty when the unit failed or carries nothing we keep. */
  records: CanonicalRecord[];
  /** Problems found; any `error` quarantines the unit and none of its records load. */
  issues: ParseIssue[];
}

export interface ParseResult {
  format: SourceFormat;
  units: RawUnit[];
  /** Problems that belong to the file as a whole (bad envelope, unreadable encoding). */
  issues: ParseIssue[];
}
