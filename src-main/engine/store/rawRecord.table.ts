import type { Generated } from "kysely";

export type RawRecordStatus = "loaded" | "quarantined" | "ignored" | "replayed";

/** The raw archive: every inbound unit verbatim, stored before it is mapped. */
export interface RawRecordTable {
  id: Generated<number>;
  source_file_id: number | null;
  connector: string;
  kind: string;
  control_id: string | null;
  content: string;
  sha256: string;
  line: number | null;
  received_at: string;
  status: RawRecordStatus;
  issues_json: string;
  record_count: number;
  replay_of: number | null;
}
