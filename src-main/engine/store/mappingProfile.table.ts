/** Saved column-mapping profiles (src-shared/mapping.ts), keyed by header signature. */
export interface MappingProfileTable {
  id: string;
  name: string;
  record_type: string;
  system: string;
  header_signature: string;
  definition_json: string;
  created_at: string;
}
