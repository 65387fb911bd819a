/** Every raw record that contributed to a row of an upserted (state) table. */
export interface LineageTable {
  table_name: string;
  row_id: number;
  raw_record_id: number;
}
