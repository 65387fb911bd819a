import type { Migration } from "kysely";
import * as m0001 from "./0001_initial";
import * as m0002 from "./0002_users_audit";
import * as m0003 from "./0003_recon";
import * as m0004 from "./0004_outbound";
import * as m0005 from "./0005_signoff_workpapers";
import * as m0006 from "./0006_compact_sha_index";
import * as m0007 from "./0007_rule_versions";
import * as m0008 from "./0008_run_inputs";
import * as m0009 from "./0009_settled_breaks";
import * as m0010 from "./0010_group_id_watermark";
import * as m0011 from "./0011_run_free_rows";
import * as m0012 from "./0012_exception_item_date";

/**
 * Every migration, in order. Static (not read from disk) so it survives bundling.
 * Forward-only: never edit a released migration; add the next number.
 */
export const migrations: Record<string, Migration> = {
  "0001_initial": m0001,
  "0002_users_audit": m0002,
  "0003_recon": m0003,
  "0004_outbound": m0004,
  "0005_signoff_workpapers": m0005,
  "0006_compact_sha_index": m0006,
  "0007_rule_versions": m0007,
  "0008_run_inputs": m0008,
  "0009_settled_breaks": m0009,
  "0010_group_id_watermark": m0010,
  "0011_run_free_rows": m0011,
  "0012_exception_item_date": m0012,
};

export const MIGRATION_NAMES = Object.keys(migrations).sort();
export const LATEST_SCHEMA_VERSION = MIGRATION_NAMES.length;
