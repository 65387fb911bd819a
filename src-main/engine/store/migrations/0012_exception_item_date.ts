import { sql, type Kysely } from "kysely";

/**
 * `recon_exception.item_date`: the earliest activity date of the records a break is about (a
 * charge's service date, a deposit's as-of date). An exception's age is counted from it, as an
 * ageing schedule counts it, not from when Tieout first saw the break: at close every break
 * Tieout found that morning would otherwise be "0 days old". Filled by each run; NULL until the
 * next run for breaks found before this version (their age falls back to when they were opened).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw("ALTER TABLE recon_exception ADD COLUMN item_date TEXT").execute(db);
}
