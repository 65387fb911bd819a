import type { OutboundSettings } from "../../../src-shared/api/outbound";
import { appendAudit } from "../audit/auditLog";
import { UserError } from "../handlerRegistry";
import type { Store } from "../store/store";

const SETTINGS_KEY = "outbound.settings";

export const DEFAULT_OUTBOUND_SETTINGS: OutboundSettings = {
  transport: "http",
  erpUrl: null,
  fileFolder: null,
  fileFormat: "fbdi",
  ledgerId: "1",
  journalSource: "Tieout",
  journalCategory: "Adjustment",
  currency: "USD",
  secondApprovalThresholdCents: 1_000_000,
  chartOfAccounts: [],
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  requestTimeoutMs: 15_000,
  autoDispatch: false,
};

export function loadOutboundSettings(store: Store): OutboundSettings {
  const row = store.sqlite.prepare("SELECT value_json FROM setting WHERE key = ?").get(SETTINGS_KEY) as { value_json: string } | undefined;
  if (!row) return { ...DEFAULT_OUTBOUND_SETTINGS };
  return { ...DEFAULT_OUTBOUND_SETTINGS, ...(JSON.parse(row.value_json) as Partial<OutboundSettings>) };
}

const positiveInteger = (value: unknown, field: string, min = 0): number => {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new UserError("INVALID_SETTING", `${field}: expected a whole number of at least ${min}, found ${JSON.stringify(value)}`, {
      where: { field },
      expected: `an integer ≥ ${min}`,
      found: JSON.stringify(value),
    });
  }
  return value;
};

/** Validates and stores a partial change; the audit trail keeps before and after. */
export function saveOutboundSettings(store: Store, actor: string, change: Partial<OutboundSettings>): OutboundSettings {
  const before = loadOutboundSettings(store);
  const next: OutboundSettings = { ...before };
  for (const [key, value] of Object.entries(change ?? {})) {
    switch (key as keyof OutboundSettings) {
      case "transport":
        if (value !== "http" && value !== "file") throw new UserError("INVALID_SETTING", `transport: expected "http" or "file"`);
        next.transport = value;
        break;
      case "erpUrl":
        if (value !== null && (typeof value !== "string" || !/^https?:\/\/[^\s]+$/.test(value)))
          throw new UserError("INVALID_SETTING", `ERP URL: expected an http(s) address, found ${JSON.stringify(value)}`);
        next.erpUrl = value === null ? null : (value as string).replace(/\/+$/, "");
        break;
      case "fileFolder":
        if (value !== null && (typeof value !== "string" || value.trim() === ""))
          throw new UserError("INVALID_SETTING", `file folder: expected a folder path`);
        next.fileFolder = value as string | null;
        break;
      case "fileFormat":
        if (!["fbdi", "d365", "csv", "xlsx"].includes(value as string))
          throw new UserError("INVALID_SETTING", `file format: expected fbdi, d365, csv or xlsx, found ${JSON.stringify(value)}`);
        next.fileFormat = value as OutboundSettings["fileFormat"];
        break;
      case "ledgerId":
      case "journalSource":
      case "journalCategory":
      case "currency":
        if (typeof value !== "string" || value.trim() === "") throw new UserError("INVALID_SETTING", `${key}: expected text`);
        next[key as "ledgerId"] = value.trim();
        break;
      case "secondApprovalThresholdCents":
        next.secondApprovalThresholdCents = positiveInteger(value, key);
        break;
      case "maxAttempts":
        next.maxAttempts = positiveInteger(value, key, 1);
        break;
      case "baseDelayMs":
      case "maxDelayMs":
        next[key as "baseDelayMs"] = positiveInteger(value, key, 0);
        break;
      case "requestTimeoutMs":
        next.requestTimeoutMs = positiveInteger(value, key, 100);
        break;
      case "chartOfAccounts":
        if (!Array.isArray(value) || value.some((a) => typeof a !== "string"))
          throw new UserError("INVALID_SETTING", "chart of accounts: expected a list of account codes");
        next.chartOfAccounts = [...new Set((value as string[]).map((a) => a.trim()).filter(Boolean))];
        break;
      case "autoDispatch":
        next.autoDispatch = value === true;
        break;
      default:
        throw new UserError("INVALID_SETTING", `unknown outbound setting "${key}"`);
    }
  }
  if (next.maxDelayMs < next.baseDelayMs) throw new UserError("INVALID_SETTING", "maxDelayMs must be at least baseDelayMs");
  store.sqlite
    .transaction(() => {
      store.sqlite
        .prepare(
          `INSERT INTO setting (key, value_json, updated_at) VALUES (?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
        )
        .run(SETTINGS_KEY, JSON.stringify(next), new Date().toISOString());
      appendAudit(store, {
        actor,
        action: "change settings",
        entityType: "outbound-settings",
        entityId: SETTINGS_KEY,
        before,
        after: next,
      });
    })
    .immediate();
  return next;
}
