/**
 * Mapping profiles shipped with Tieout for public layouts, so those files import without
 * the wizard. Synthea CSV (https://github.com/synthetichealth/synthea/wiki/CSV-File-Data-Dictionary)
 * and the Dynamics 365 F&O general journal entity.
 *
 * Synthea files mapped, and why the others are not:
 * - encounters.csv → encounter (ehr). Id is the visit number (it is the Encounter id the
 *   FHIR bundle and claims_transactions.APPOINTMENTID use); PATIENT → mrn; ORGANIZATION →
 *   facilityCode; START/STOP → admitAt/dischargeAt; status is the constant "discharged"
 *   (every Synthea encounter is finished). ENCOUNTERCLASS ("ambulatory", "inpatient", …) goes
 *   to patientClass as written: the profile format has no value map to HL7 table 0004.
 *   PROVIDER is a Synthea UUID, not an NPI, so attendingNpi stays empty.
 * - claims_transactions.csv → charge (billing), CHARGE rows only, through `rowFilter` (a
 *   profile field the shared MappingProfile does not have yet; see rowMapping.ts). PAYMENT
 *   rows become units with nothing loaded. APPOINTMENTID is the encounter id → visitNumber.
 * - providers.csv → provider (ehr). Synthea CSV carries no NPI: Id (a UUID) is the key, so
 *   these providers will not match the NPIs in Synthea's FHIR Practitioners.
 * - payers.csv → payer; organizations.csv → department (as FHIR Organizations of type
 *   "prov" are: the model has no facility record).
 * - Not mapped (a "no mapping profile" file issue, i.e. "needs mapping in the wizard"):
 *   supplies.csv (no id column for supplyUsage.usageId), claims.csv (no total charge),
 *   patients, conditions, procedures, medications, immunizations, allergies, careplans,
 *   devices, payer_transitions: clinical or coverage data with no canonical record.
 */
import type { TabularProfile } from "./rowMapping";

const h = (line: string) => line.split(",").map((x) => x.trim().toLowerCase());

export const SYNTHEA_ENCOUNTERS: TabularProfile = {
  id: "builtin:synthea-encounters",
  name: "Synthea encounters.csv",
  recordType: "encounter",
  system: "ehr",
  headers: h(
    "Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,BASE_ENCOUNTER_COST,TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION",
  ),
  fields: {
    visitNumber: { column: "Id", transform: "text" },
    mrn: { column: "PATIENT", transform: "text" },
    facilityCode: { column: "ORGANIZATION", transform: "text" },
    patientClass: { column: "ENCOUNTERCLASS", transform: "text" },
    admitAt: { column: "START", transform: "text" },
    dischargeAt: { column: "STOP", transform: "text" },
  },
  constants: { status: "discharged" },
  dateFormat: "YYYY-MM-DD",
};

export const SYNTHEA_CLAIM_CHARGES: TabularProfile = {
  id: "builtin:synthea-claims-transactions-charges",
  name: "Synthea claims_transactions.csv (CHARGE rows)",
  recordType: "charge",
  system: "billing",
  headers: h(
    "ID,CLAIMID,CHARGEID,PATIENTID,TYPE,AMOUNT,METHOD,FROMDATE,TODATE,PLACEOFSERVICE,PROCEDURECODE,MODIFIER1,MODIFIER2,DIAGNOSISREF1,DIAGNOSISREF2,DIAGNOSISREF3,DIAGNOSISREF4,UNITS,DEPARTMENTID,NOTES,UNITAMOUNT,TRANSFEROUTID,TRANSFERTYPE,PAYMENTS,ADJUSTMENTS,TRANSFERS,OUTSTANDING,APPOINTMENTID,LINENOTE,PATIENTINSURANCEID,FEESCHEDULEID,PROVIDERID,SUPERVISINGPROVIDERID",
  ),
  fields: {
    transactionId: { column: "ID", transform: "text" },
    visitNumber: { column: "APPOINTMENTID", transform: "text" },
    cdmCode: { column: "PROCEDURECODE", transform: "text" },
    departmentCode: { column: "DEPARTMENTID", transform: "text" },
    quantity: { column: "UNITS", transform: "number" },
    amountCents: { column: "AMOUNT", transform: "decimal-cents" },
    unitAmountCents: { column: "UNITAMOUNT", transform: "decimal-cents" },
    serviceDate: { column: "FROMDATE", transform: "date" },
    transactionType: { column: "TYPE", transform: "text" },
    description: { column: "NOTES", transform: "text" },
  },
  rowFilter: { column: "TYPE", equals: ["CHARGE"] },
  dateFormat: "YYYY-MM-DD",
};

export const SYNTHEA_PROVIDERS: TabularProfile = {
  id: "builtin:synthea-providers",
  name: "Synthea providers.csv",
  recordType: "provider",
  system: "ehr",
  headers: h("Id,ORGANIZATION,NAME,GENDER,SPECIALITY,ADDRESS,CITY,STATE,ZIP,LAT,LON,ENCOUNTERS,PROCEDURES"),
  fields: {
    npi: { column: "Id", transform: "text" },
    name: { column: "NAME", transform: "text" },
    specialty: { column: "SPECIALITY", transform: "text" },
  },
  constants: { active: true },
  dateFormat: "YYYY-MM-DD",
};

export const SYNTHEA_PAYERS: TabularProfile = {
  id: "builtin:synthea-payers",
  name: "Synthea payers.csv",
  recordType: "payer",
  system: "billing",
  headers: h(
    "Id,NAME,OWNERSHIP,ADDRESS,CITY,STATE_HEADQUARTERED,ZIP,PHONE,AMOUNT_COVERED,AMOUNT_UNCOVERED,REVENUE,COVERED_ENCOUNTERS,UNCOVERED_ENCOUNTERS,COVERED_MEDICATIONS,UNCOVERED_MEDICATIONS,COVERED_PROCEDURES,UNCOVERED_PROCEDURES,COVERED_IMMUNIZATIONS,UNCOVERED_IMMUNIZATIONS,UNIQUE_CUSTOMERS,QOLS_AVG,MEMBER_MONTHS",
  ),
  fields: {
    payerId: { column: "Id", transform: "text" },
    name: { column: "NAME", transform: "text" },
  },
  dateFormat: "YYYY-MM-DD",
};

export const SYNTHEA_ORGANIZATIONS: TabularProfile = {
  id: "builtin:synthea-organizations",
  name: "Synthea organizations.csv",
  recordType: "department",
  system: "ehr",
  headers: h("Id,NAME,ADDRESS,CITY,STATE,ZIP,LAT,LON,PHONE,REVENUE,UTILIZATION"),
  fields: {
    code: { column: "Id", transform: "text" },
    name: { column: "NAME", transform: "text" },
  },
  dateFormat: "YYYY-MM-DD",
};

/**
 * Dynamics 365 F&O "General journal" entity (LedgerJournalEntity) export, the columns of
 * Microsoft's documented example. journalId is the batch number; the voucher is the
 * reference. The entity has no period column: the period is the accounting date's
 * calendar month (rowMapping.ts), which is wrong for a non-calendar fiscal year; map a
 * period column in that case.
 */
export const D365_GENERAL_JOURNAL: TabularProfile = {
  id: "builtin:d365-general-journal",
  name: "Dynamics 365 general journal (LedgerJournalEntity)",
  recordType: "journalLine",
  system: "erp",
  headers: h(
    "JOURNALNAME,DESCRIPTION,JOURNALBATCHNUMBER,ACCOUNTTYPE,ACCOUNTDISPLAYVALUE,LINENUMBER,TRANSDATE,VOUCHER,CURRENCYCODE,DEBITAMOUNT,CREDITAMOUNT",
  ),
  fields: {
    journalId: { column: "JOURNALBATCHNUMBER", transform: "text" },
    lineNumber: { column: "LINENUMBER", transform: "number" },
    accountingDate: { column: "TRANSDATE", transform: "date" },
    account: { column: "ACCOUNTDISPLAYVALUE", transform: "text" },
    debitCents: { column: "DEBITAMOUNT", transform: "decimal-cents" },
    creditCents: { column: "CREDITAMOUNT", transform: "decimal-cents" },
    description: { column: "DESCRIPTION", transform: "text" },
    journalSource: { column: "JOURNALNAME", transform: "text" },
    reference: { column: "VOUCHER", transform: "text" },
  },
  dateFormat: "DD-MMM-YYYY",
};

export const BUILTIN_PROFILES: readonly TabularProfile[] = [
  SYNTHEA_ENCOUNTERS,
  SYNTHEA_CLAIM_CHARGES,
  SYNTHEA_PROVIDERS,
  SYNTHEA_PAYERS,
  SYNTHEA_ORGANIZATIONS,
  D365_GENERAL_JOURNAL,
];
