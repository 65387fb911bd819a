import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { hasRole, type Role, type UserInfo } from "../../../src-shared/api";
import { appendAudit } from "../audit/auditLog";
import type { Store } from "../store/store";
import { UserError } from "../handlerRegistry";

const ROLES: readonly Role[] = ["preparer", "approver", "reviewer", "phi", "admin"];

function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString("hex")}$${scryptSync(password, salt, 32).toString("hex")}`;
}

function passwordMatches(password: string, stored: string): boolean {
  const [scheme, saltHex, hashHex] = stored.split("$");
  if (scheme !== "scrypt" || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, "hex");
  return timingSafeEqual(scryptSync(password, Buffer.from(saltHex, "hex"), expected.length), expected);
}

interface UserRow {
  user_id: string;
  display_name: string;
  roles_json: string;
  password_hash: string;
  active: number;
}

const toInfo = (row: UserRow): UserInfo => ({
  userId: row.user_id,
  displayName: row.display_name,
  roles: JSON.parse(row.roles_json) as Role[],
});

export function listUsers(store: Store): UserInfo[] {
  return (store.sqlite.prepare("SELECT * FROM app_user WHERE active = 1 ORDER BY user_id").all() as UserRow[]).map(toInfo);
}

/**
 * Why a user cannot own exceptions, or null when they can: an owner must be a user of this store
 * who can work them (the preparer role), or the work sits with someone no filter or "Me" view finds.
 */
export function whyNotOwner(store: Store, userId: string): string | null {
  const user = listUsers(store).find((u) => u.userId === userId);
  if (!user) return `"${userId}" is not a Tieout user (an owner is a user id, such as ${listUsers(store)[0]?.userId ?? "ana"})`;
  if (!hasRole(user, "preparer")) return `${user.displayName} cannot work exceptions (no preparer role)`;
  return null;
}

export function createUser(
  store: Store,
  actor: string,
  input: { userId: string; displayName: string; roles: Role[]; password: string },
): UserInfo {
  if (!/^[a-z0-9._-]{2,40}$/i.test(input.userId))
    throw new UserError("BAD_USER", `A user id is 2 to 40 letters, digits, dots, dashes or underscores; "${input.userId}" is not.`);
  if (input.password.length < 4) throw new UserError("BAD_USER", "A password needs at least 4 characters.");
  const unknown = input.roles.filter((r) => !ROLES.includes(r));
  if (unknown.length > 0) throw new UserError("BAD_USER", `Unknown role ${unknown.join(", ")}; roles are ${ROLES.join(", ")}.`);
  if (store.sqlite.prepare("SELECT 1 FROM app_user WHERE user_id = ?").get(input.userId))
    throw new UserError("BAD_USER", `There is already a user "${input.userId}".`);
  const info: UserInfo = { userId: input.userId, displayName: input.displayName, roles: input.roles };
  store.sqlite
    .transaction(() => {
      store.sqlite
        .prepare("INSERT INTO app_user (user_id, display_name, roles_json, password_hash, created_at) VALUES (?, ?, ?, ?, ?)")
        .run(input.userId, input.displayName, JSON.stringify(input.roles), hashPassword(input.password), new Date().toISOString());
      appendAudit(store, { actor, action: "create user", entityType: "user", entityId: input.userId, after: info });
    })
    .immediate();
  return info;
}

export function login(store: Store, userId: string, password: string): { sessionId: string; user: UserInfo } {
  const row = store.sqlite.prepare("SELECT * FROM app_user WHERE user_id = ? AND active = 1").get(userId) as UserRow | undefined;
  // The same answer for an unknown user and a wrong password.
  if (!row || !passwordMatches(password, row.password_hash)) throw new UserError("SIGN_IN_FAILED", "Wrong user or password.");
  const sessionId = randomBytes(24).toString("base64url");
  const now = new Date().toISOString();
  store.sqlite
    .prepare("INSERT INTO session (session_id, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)")
    .run(sessionId, userId, now, now);
  return { sessionId, user: toInfo(row) };
}

export function logout(store: Store, sessionId: string | null): void {
  if (sessionId) store.sqlite.prepare("DELETE FROM session WHERE session_id = ?").run(sessionId);
}

export function sessionUser(store: Store, sessionId: string | null | undefined): UserInfo | null {
  if (!sessionId) return null;
  const row = store.sqlite
    .prepare("SELECT u.* FROM session s JOIN app_user u ON u.user_id = s.user_id WHERE s.session_id = ? AND u.active = 1")
    .get(sessionId) as UserRow | undefined;
  return row ? toInfo(row) : null;
}

/** The people of the built-in demo (password "demo"), so maker-checker can be tried at once. */
export const DEMO_USERS: { userId: string; displayName: string; roles: Role[] }[] = [
  { userId: "ana", displayName: "Ana Preparer", roles: ["preparer"] },
  { userId: "rob", displayName: "Rob Reviewer", roles: ["preparer", "approver", "reviewer", "phi"] },
  { userId: "admin", displayName: "Administrator", roles: ["admin", "preparer", "approver", "reviewer", "phi"] },
  // An external auditor: reads everything (patient identifiers masked) and exports workpapers, changes nothing.
  { userId: "ava", displayName: "Ava Auditor (read only)", roles: [] },
];

export function ensureDemoUsers(store: Store): void {
  for (const user of DEMO_USERS) {
    if (!store.sqlite.prepare("SELECT 1 FROM app_user WHERE user_id = ?").get(user.userId))
      createUser(store, "system", { ...user, password: "demo" });
  }
}
