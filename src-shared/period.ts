/** A reconciliation or accounting period: "YYYY-MM", month 01 to 12. */
export const isPeriod = (text: unknown): text is string => typeof text === "string" && /^\d{4}-(0[1-9]|1[0-2])$/.test(text);
