import { createHash } from "node:crypto";
import type { RuleSetsInfo, RuleVersionInfo } from "../../../src-shared/api/recon";
import { describeRuleChanges, validateTemplate, type ReconTemplate, type RuleIssue } from "../../../src-shared/reconRules";
import { appendAudit } from "../audit/auditLog";
import { UserError } from "../handlerRegistry";
import { MATCHER_VERSION } from "../match/matcher";
import type { ReconRuleSetTable } from "../store/recon.table";
import type { Store } from "../store/store";
import { CORRECTION_BUILDERS } from "./corrections";
import { hasLineage } from "./inputs";
import { periodWindow, prepareSide, sideParams } from "./sides";
import { findTemplate } from "./templates";

/**
 * Rule sets as versioned data a person can change (DESIGN.md "Rules are data"). Each template
 * ships with built-in rules; a reviewer may save an edited set, which gets the next version and
 * is what runs use until another stored version, or the built-in rules, is chosen again. Every
 * save and every switch is audited with what changed, and every run records the version and
 * hash of the rules it used, so a result can be traced to the exact rules behind it.
 */

/** The rule hash a run records: the definition as stored, and the matcher that reads it. */
export function ruleHashOf(template: ReconTemplate): string {
  return createHash("sha256")
    .update(`${JSON.stringify(template)}\u0001matcher:${MATCHER_VERSION}`)
    .digest("hex");
}

export function builtInRules(templateId: string): ReconTemplate {
  const t = findTemplate(templateId);
  if (!t) throw new UserError("UNKNOWN_TEMPLATE", `There is no reconciliation template "${templateId}".`);
  return t;
}

export interface ActiveRules {
  template: ReconTemplate;
  /** What a run records: `ruleHashOf(template)`. */
  hash: string;
  origin: "built-in" | "edited";
  /** The stored version's key (its hash when it was saved; the matcher version may have moved since). */
  storedHash: string;
}

/**
 * The rules runs of this template use now, without judging them: the chosen stored version, else
 * the built-in rules. `problem` says why a stored version would not run (it was saved under
 * looser checks, or its side queries no longer fit the store); saving or choosing other rules
 * must still work then.
 */
function readActive(store: Store, templateId: string): ActiveRules & { problem: string | null } {
  const builtIn = builtInRules(templateId);
  const row = store.sqlite
    .prepare(
      `SELECT s.* FROM recon_rule_active a JOIN recon_rule_set s ON s.template_id = a.template_id AND s.definition_hash = a.definition_hash
       WHERE a.template_id = ?`,
    )
    .get(templateId) as ReconRuleSetTable | undefined;
  if (!row) {
    const hash = ruleHashOf(builtIn);
    return { template: builtIn, hash, origin: "built-in", storedHash: hash, problem: null };
  }
  const template = JSON.parse(row.definition_json) as ReconTemplate;
  const issues = validateTemplate(template);
  return {
    template,
    hash: issues.length === 0 ? ruleHashOf(template) : row.definition_hash,
    origin: row.origin,
    storedHash: row.definition_hash,
    problem:
      issues.length === 0
        ? null
        : `The rules in use for ${builtIn.name} (v${row.version}, saved by ${row.created_by ?? "Tieout"}) no longer validate: ${describeIssues(issues)}. Choose another version or the built-in rules.`,
  };
}

/** The rules runs of this template use now: the chosen stored version, else the built-in rules. */
export function activeRules(store: Store, templateId: string): ActiveRules {
  const { problem, ...active } = readActive(store, templateId);
  if (problem) throw new UserError("BAD_RULES", problem);
  return active;
}

/**
 * The rules to show for a template (its name, labels, passes): those in use, or the built-in ones
 * while the rules in use no longer validate (running the template says why).
 */
export function shownRules(store: Store, templateId: string): ActiveRules {
  const { problem, ...active } = readActive(store, templateId);
  if (!problem) return active;
  const builtIn = builtInRules(templateId);
  const hash = ruleHashOf(builtIn);
  return { template: builtIn, hash, origin: "built-in", storedHash: hash };
}

/** A stored version of a template's rules, by its hash. */
function storedRules(store: Store, templateId: string, hash: string): ReconRuleSetTable | undefined {
  return store.sqlite.prepare("SELECT * FROM recon_rule_set WHERE template_id = ? AND definition_hash = ?").get(templateId, hash) as
    ReconRuleSetTable | undefined;
}

/**
 * The rules a reconciliation's last run used (its rule hash names them), for what shows that run's
 * rows: the grid's columns come from its side queries. Null when the store does not hold them.
 */
export function rulesOfLastRun(store: Store, reconciliationId: number): ReconTemplate | null {
  const row = store.sqlite
    .prepare(
      `SELECT s.definition_json FROM reconciliation c JOIN recon_run r ON r.id = c.last_run_id
       JOIN recon_rule_set s ON s.template_id = c.template_id AND s.definition_hash = r.rule_hash
       WHERE c.id = ?`,
    )
    .get(reconciliationId) as { definition_json: string } | undefined;
  return row ? (JSON.parse(row.definition_json) as ReconTemplate) : null;
}

function describeIssues(issues: RuleIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  return shown.join("; ") + (issues.length > 5 ? `; and ${issues.length - 5} more` : "");
}

/**
 * Checks a rule set against this store: each side query compiles, is read-only and returns the
 * required columns, and every column a pass or rule names is one its side's query returns. The
 * structural checks (`validateTemplate`) come first.
 */
export function checkRules(store: Store, template: ReconTemplate): RuleIssue[] {
  const issues = validateTemplate(template);
  if (issues.length > 0) return issues;
  const bad = (path: string, message: string) => issues.push({ path, message });
  const columns: Record<"left" | "right", Set<string> | null> = { left: null, right: null };
  // Any period will do: only the parameters' names matter.
  const sample = periodWindow("2026-01", template.runOutDays);
  for (const side of ["left", "right"] as const) {
    const prepared = prepareSide(store, template[side].sql, sample);
    if ("problem" in prepared) bad(`${side}.sql`, prepared.problem);
    else columns[side] = new Set(prepared.columns);
    (template[side].lineage ?? []).forEach((l, j) => {
      const at = `${side}.lineage[${j}]`;
      if (!hasLineage(store, l.table)) {
        bad(at, `"${l.table}" is not a canonical table with lineage (an id and a raw_record_id)`);
        return;
      }
      try {
        store.sqlite
          .prepare(`SELECT c.id FROM "${l.table}" c${l.where ? ` WHERE (${l.where})` : ""}`)
          .bind(sideParams(l.where ?? "", sample));
      } catch (error) {
        bad(`${at}.where`, `${(error as Error).message} (a filter on ${l.table} AS c, with :period, :from and :to)`);
      }
    });
  }
  const column = (path: string, side: "left" | "right", name: string | undefined) => {
    const known = columns[side];
    if (name === undefined || known === null || known.has(name)) return;
    bad(path, `the ${side} side's query has no column "${name}"`);
  };
  const ref = (path: string, r: unknown) => {
    const m = typeof r === "string" ? /^(left|right)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(r) : null;
    if (m) column(path, m[1] as "left" | "right", m[2]);
  };
  template.passes.forEach((p, i) => {
    const at = `passes[${i}]`;
    const pairs: [string, { left: string; right: string }[]][] = [
      ["keys", p.keys],
      ["prefer", p.prefer ?? []],
      ["text", p.text ?? []],
    ];
    for (const [name, list] of pairs)
      list.forEach((k, j) => {
        column(`${at}.${name}[${j}].left`, "left", k.left);
        column(`${at}.${name}[${j}].right`, "right", k.right);
      });
    if (p.date) {
      column(`${at}.date.left`, "left", p.date.left);
      column(`${at}.date.right`, "right", p.date.right);
    }
  });
  const conditions = (path: string, list: ReconTemplate["exceptions"][number]["when"]) =>
    list.forEach((c, j) => {
      if ("differs" in c)
        c.differs.forEach(([l, r], k) => {
          column(`${path}[${j}].differs[${k}]`, "left", l);
          column(`${path}[${j}].differs[${k}]`, "right", r);
        });
      else if ("daysFrom" in c) {
        ref(`${path}[${j}].daysFrom`, c.daysFrom);
        ref(`${path}[${j}].to`, c.to);
      } else ref(`${path}[${j}].field`, c.field);
    });
  template.exceptions.forEach((r, i) => {
    const at = `exceptions[${i}]`;
    conditions(`${at}.when`, r.when);
    if (r.lagDays) {
      ref(`${at}.lagDays.from`, r.lagDays.from);
      ref(`${at}.lagDays.to`, r.lagDays.to);
    }
    ref(`${at}.reasonCode`, r.reasonCode);
    ref(`${at}.expected`, r.expected);
    ref(`${at}.found`, r.found);
    if (r.amount && typeof r.amount === "object") ref(`${at}.amount.column`, r.amount.column);
    if (r.correction !== undefined && !Object.hasOwn(CORRECTION_BUILDERS, r.correction))
      bad(`${at}.correction`, `no correction builder "${r.correction}" (there are: ${Object.keys(CORRECTION_BUILDERS).join(", ")})`);
    column(`${at}.keysFrom.left`, "left", r.keysFrom?.left);
    column(`${at}.keysFrom.right`, "right", r.keysFrom?.right);
  });
  template.expected.forEach((r, i) => conditions(`expected[${i}].when`, r.when));
  return issues;
}

/** What changes from the rules in use, in words; rules in use that no longer validate are replaced whole. */
function changesFrom(current: { template: ReconTemplate; problem: string | null }, next: ReconTemplate): string[] {
  if (current.problem) return [`replaces v${current.template.version}, which no longer validates`];
  return describeRuleChanges(current.template, next);
}

function versionInfo(row: ReconRuleSetTable, activeHash: string): RuleVersionInfo {
  return {
    templateId: row.template_id,
    version: row.version,
    origin: row.origin,
    hash: row.definition_hash,
    createdAt: row.first_loaded_at,
    createdBy: row.created_by,
    note: row.note,
    active: row.definition_hash === activeHash,
  };
}

export function ruleSets(store: Store, templateId: string): RuleSetsInfo {
  const active = readActive(store, templateId);
  const builtIn = builtInRules(templateId);
  const rows = store.sqlite
    .prepare("SELECT * FROM recon_rule_set WHERE template_id = ? ORDER BY version DESC, first_loaded_at DESC")
    .all(templateId) as ReconRuleSetTable[];
  return {
    templateId,
    active: active.template,
    activeHash: active.hash,
    activeOrigin: active.origin,
    activeProblem: active.problem,
    builtIn,
    builtInHash: ruleHashOf(builtIn),
    versions: rows.map((r) => versionInfo(r, active.storedHash)),
  };
}

/**
 * Records the rules a run used, if the store does not hold them yet (inside the run's transaction).
 * A stored version read by a newer matcher has a new hash: its row keeps the author and the why.
 */
export function recordRulesUsed(store: Store, rules: ActiveRules, at: string): void {
  store.sqlite
    .prepare(
      `INSERT OR IGNORE INTO recon_rule_set (template_id, version, origin, definition_json, definition_hash, first_loaded_at, created_by, note)
       VALUES (@id, @version, @origin, @definition, @hash, @at,
         (SELECT created_by FROM recon_rule_set WHERE template_id = @id AND definition_hash = @stored),
         (SELECT note FROM recon_rule_set WHERE template_id = @id AND definition_hash = @stored))`,
    )
    .run({
      id: rules.template.id,
      version: rules.template.version,
      origin: rules.origin,
      definition: JSON.stringify(rules.template),
      hash: rules.hash,
      at,
      stored: rules.storedHash,
    });
}

/**
 * Saves an edited rule set for a template and makes it the one runs use. The id cannot change;
 * the version is the next after every version stored or shipped for the template. Refused with
 * the problems by path (BAD_RULES), or when it equals the rules in use (NO_CHANGE).
 */
export function saveRules(
  store: Store,
  actor: string,
  templateId: string,
  definition: unknown,
  note: unknown,
  basedOn?: unknown,
): RuleVersionInfo {
  const builtIn = builtInRules(templateId);
  if (typeof note !== "string" || note.trim() === "") {
    throw new UserError("BAD_REQUEST", "Say why the rules change (a note for the audit trail).");
  }
  if (!definition || typeof definition !== "object" || Array.isArray(definition)) {
    throw new UserError("BAD_RULES", "The rules must be a JSON object, as `tieout rules TEMPLATE --json` prints them.");
  }
  const proposed = definition as ReconTemplate;
  if (proposed.id !== templateId) {
    throw new UserError("BAD_RULES", `These rules are for "${String(proposed.id)}", not ${templateId}: a template's id cannot change.`);
  }
  return store.sqlite
    .transaction((): RuleVersionInfo => {
      const current = readActive(store, templateId);
      // Two reviewers editing at once: the second save would quietly undo the first.
      if (typeof basedOn === "string" && basedOn !== current.hash) {
        throw new UserError(
          "RULES_CHANGED",
          `The rules for ${builtIn.name} changed while you edited them (now v${current.template.version}, ${current.origin}); nothing was saved. Discard your changes to see them, then edit again.`,
        );
      }
      const highest = store.sqlite.prepare("SELECT MAX(version) AS v FROM recon_rule_set WHERE template_id = ?").get(templateId) as {
        v: number | null;
      };
      const version = Math.max(highest.v ?? 0, builtIn.version, current.template.version) + 1;
      // The version is the store's to give: whatever the file said, the next number.
      const template: ReconTemplate = { ...proposed, version };
      const issues = checkRules(store, template);
      if (issues.length > 0) {
        throw new UserError("BAD_RULES", `The rules for ${builtIn.name} were not saved: ${describeIssues(issues)}.`, { issues });
      }
      const changes = changesFrom(current, template);
      if (changes.length === 0) {
        throw new UserError(
          "NO_CHANGE",
          `These are the rules in use for ${builtIn.name} (v${current.template.version}); nothing was saved.`,
        );
      }
      const hash = ruleHashOf(template);
      const now = new Date().toISOString();
      store.sqlite
        .prepare(
          `INSERT INTO recon_rule_set (template_id, version, origin, definition_json, definition_hash, first_loaded_at, created_by, note)
           VALUES (?, ?, 'edited', ?, ?, ?, ?, ?)`,
        )
        .run(templateId, version, JSON.stringify(template), hash, now, actor, note.trim());
      setActive(store, templateId, hash, actor, now);
      appendAudit(store, {
        actor,
        action: "rules-change",
        entityType: "recon-rules",
        entityId: templateId,
        before: { version: current.template.version, origin: current.origin, hash: current.hash },
        after: { version, origin: "edited", hash, changes },
        reason: note.trim(),
      });
      return { ...versionInfo(storedRules(store, templateId, hash)!, hash), changes };
    })
    .immediate();
}

function setActive(store: Store, templateId: string, hash: string | null, actor: string, at: string): void {
  if (hash === null) store.sqlite.prepare("DELETE FROM recon_rule_active WHERE template_id = ?").run(templateId);
  else
    store.sqlite
      .prepare(
        `INSERT INTO recon_rule_active (template_id, definition_hash, set_by, set_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (template_id) DO UPDATE SET definition_hash = excluded.definition_hash, set_by = excluded.set_by, set_at = excluded.set_at`,
      )
      .run(templateId, hash, actor, at);
}

/**
 * Makes runs use a stored version again (by its hash), or the built-in rules (`null`). The
 * stored version is checked against the store as a new one would be. Audited.
 */
export function useRules(store: Store, actor: string, templateId: string, hash: unknown, note: unknown): RuleVersionInfo {
  const builtIn = builtInRules(templateId);
  // Switching versions changes what every later run matches, as saving does: the audit trail says why.
  if (typeof note !== "string" || note.trim() === "") {
    throw new UserError("BAD_REQUEST", "Say why the rules in use change (a note for the audit trail).");
  }
  if (hash !== null && typeof hash !== "string")
    throw new UserError("BAD_REQUEST", "give the hash of a stored version, or null for the built-in rules");
  return store.sqlite
    .transaction((): RuleVersionInfo => {
      const current = readActive(store, templateId);
      const now = new Date().toISOString();
      let target: ReconRuleSetTable;
      if (hash === null) {
        const builtInHash = ruleHashOf(builtIn);
        recordRulesUsed(store, { template: builtIn, hash: builtInHash, origin: "built-in", storedHash: builtInHash }, now);
        target = storedRules(store, templateId, builtInHash)!;
      } else {
        const found = storedRules(store, templateId, hash);
        if (!found) throw new UserError("NOT_FOUND", `${builtIn.name} has no stored rules with hash ${hash.slice(0, 12)}.`);
        const issues = checkRules(store, JSON.parse(found.definition_json) as ReconTemplate);
        if (issues.length > 0) {
          throw new UserError(
            "BAD_RULES",
            `v${found.version} of the rules for ${builtIn.name} cannot be used here: ${describeIssues(issues)}.`,
            {
              issues,
            },
          );
        }
        target = found;
      }
      const targetTemplate = JSON.parse(target.definition_json) as ReconTemplate;
      const targetHash = ruleHashOf(targetTemplate);
      if (targetHash === current.hash) {
        throw new UserError("NO_CHANGE", `v${target.version} is already the rules in use for ${builtIn.name}.`);
      }
      setActive(store, templateId, hash === null ? null : target.definition_hash, actor, now);
      const changes = changesFrom(current, targetTemplate);
      appendAudit(store, {
        actor,
        action: "rules-use",
        entityType: "recon-rules",
        entityId: templateId,
        before: { version: current.template.version, origin: current.origin, hash: current.hash },
        after: {
          version: target.version,
          origin: target.origin,
          hash: targetHash,
          changes,
        },
        reason: note.trim(),
      });
      return { ...versionInfo(target, target.definition_hash), changes };
    })
    .immediate();
}
