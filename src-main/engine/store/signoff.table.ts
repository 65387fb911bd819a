import type { Generated } from "kysely";

/** One preparer or reviewer sign-off of a reconciliation for a period; voided, never deleted. */
export interface SignoffTable {
  id: Generated<number>;
  recon_id: string;
  /** YYYY-MM */
  period: string;
  role: "preparer" | "reviewer";
  user_id: string;
  display_name: string;
  signed_at: string;
  /** SHA-256 of `figures_json`: the figures the signer saw. */
  fingerprint: string;
  figures_json: string;
  comment: string | null;
  voided_at: string | null;
  voided_by: string | null;
  void_reason: string | null;
}
