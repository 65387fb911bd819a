export interface ConnectorActivityTable {
  connector: string;
  duplicates: number;
  last_activity_at: string | null;
  last_error: string | null;
}
