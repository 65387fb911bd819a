import type { MappingProfile } from "../../../src-shared/mapping";
import { appendAudit } from "../audit/auditLog";
import type { Store } from "../store/store";

export function headerSignature(headers: readonly string[]): string {
  return headers.map((h) => h.trim().toLowerCase()).join("|");
}

/** Saved column-mapping profiles, newest first. */
export function loadProfiles(store: Store): MappingProfile[] {
  const rows = store.sqlite.prepare("SELECT definition_json FROM mapping_profile ORDER BY created_at DESC").all() as {
    definition_json: string;
  }[];
  return rows.map((row) => JSON.parse(row.definition_json) as MappingProfile);
}

/** Saves (or replaces) a profile so later files of the same layout import without asking. */
export function saveProfile(store: Store, profile: MappingProfile, actor = "system"): void {
  const before = store.sqlite.prepare("SELECT definition_json FROM mapping_profile WHERE id = ?").get(profile.id) as
    { definition_json: string } | undefined;
  store.sqlite
    .transaction(() => {
      store.sqlite
        .prepare(
          `INSERT INTO mapping_profile (id, name, record_type, system, header_signature, definition_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, record_type = excluded.record_type, system = excluded.system,
         header_signature = excluded.header_signature, definition_json = excluded.definition_json`,
        )
        .run(
          profile.id,
          profile.name,
          profile.recordType,
          profile.system,
          headerSignature(profile.headers),
          JSON.stringify(profile),
          new Date().toISOString(),
        );
      appendAudit(store, {
        actor,
        action: before ? "change mapping profile" : "create mapping profile",
        entityType: "mapping_profile",
        entityId: profile.id,
        before: before ? (JSON.parse(before.definition_json) as unknown) : undefined,
        after: profile,
      });
    })
    .immediate();
}
