/** A workbook Tieout wrote: a workpaper, or open exceptions sent out for the round trip. */
export interface WorkpaperExportTable {
  id: string;
  kind: "workpaper" | "exceptions";
  recon_id: string;
  period: string;
  path: string;
  sha256: string | null;
  rows: number;
  sheets_json: string;
  phi_unmasked: number;
  /** The sign-off fingerprint of the figures at export time. */
  fingerprint: string | null;
  created_by: string;
  created_at: string;
}

/** An exception as it left in a round-trip workbook (explanation, owner), to detect conflicts. */
export interface ExceptionRoundtripRowTable {
  export_id: string;
  exception_id: string;
  base_json: string;
}

/** One import of a filled-in round-trip workbook. */
export interface ExceptionImportTable {
  id: string;
  export_id: string;
  file_name: string;
  sha256: string;
  imported_by: string;
  imported_at: string;
  applied: number;
  conflicts_json: string;
}
