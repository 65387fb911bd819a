import type { AuditLogTable } from "./auditLog.table";
import type { CanonicalTablesSchema } from "./canonical.table";
import type { ConnectorActivityTable } from "./connectorActivity.table";
import type { JobTable } from "./job.table";
import type { LineageTable } from "./lineage.table";
import type { MappingProfileTable } from "./mappingProfile.table";
import type { OutboundTablesSchema } from "./outbound.table";
import type { RawRecordTable } from "./rawRecord.table";
import type { ReconTablesSchema } from "./recon.table";
import type { SettingTable } from "./setting.table";
import type { SignoffTable } from "./signoff.table";
import type { SourceFileTable } from "./sourceFile.table";
import type { AppUserTable, SessionTable } from "./user.table";
import type { ExceptionImportTable, ExceptionRoundtripRowTable, WorkpaperExportTable } from "./workpaperExport.table";

/** The whole store as kysely sees it. */
export interface Database extends CanonicalTablesSchema, OutboundTablesSchema, ReconTablesSchema {
  source_file: SourceFileTable;
  raw_record: RawRecordTable;
  job: JobTable;
  setting: SettingTable;
  mapping_profile: MappingProfileTable;
  lineage: LineageTable;
  connector_activity: ConnectorActivityTable;
  app_user: AppUserTable;
  session: SessionTable;
  audit_log: AuditLogTable;
  signoff: SignoffTable;
  workpaper_export: WorkpaperExportTable;
  exception_roundtrip_row: ExceptionRoundtripRowTable;
  exception_import: ExceptionImportTable;
}
