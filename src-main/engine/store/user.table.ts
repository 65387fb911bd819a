export interface AppUserTable {
  user_id: string;
  display_name: string;
  roles_json: string;
  /** scrypt: `scrypt$<salt hex>$<hash hex>`. */
  password_hash: string;
  active: number;
  created_at: string;
}

export interface SessionTable {
  session_id: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
}
