import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ReconRunSummary, RuleSetsInfo, ScoreLine } from "../../../src-shared/api/recon";
import { describeRuleChanges, passCriteria, type PassSpec, type ReconTemplate } from "../../../src-shared/reconRules";
import { createEngine, type Engine } from "../../engine/engine";
import { formatCents } from "../../engine/match/normalize";
import { readTruth, scoreAgainstTruth } from "../../engine/recon/score";
import { BUILT_IN_TEMPLATES } from "../../engine/recon/templates";
import { cliContext, err, out, requirePeriod, requireStore, UsageError, type Command } from "../command";

/**
 * Runs one reconciliation as a job, in a worker thread with a heap sized to the machine (a
 * million encounters does not fit the default heap), showing its phase at a terminal.
 */
export async function reconcileInWorker(engine: Engine, templateId: string, period: string): Promise<ReconRunSummary> {
  const { jobId } = await engine.invokeAs(cliContext(), "jobs/start", { kind: "recon", params: { templateId, period } });
  const tty = process.stderr.isTTY;
  const off = tty
    ? engine.events.on("job/progress", (p) => {
        if (p.jobId === jobId) process.stderr.write(`\r${templateId}: ${p.phase}`.padEnd(100).slice(0, 100));
      })
    : () => {};
  const job = await engine.jobs.waitFor(jobId);
  off();
  if (tty) process.stderr.write("\r".padEnd(101) + "\r");
  if (job.status !== "succeeded") throw new Error(`${templateId} ${period}: ${job.status === "failed" ? job.error : job.status}`);
  return job.result as unknown as ReconRunSummary;
}

function printSummary(s: ReconRunSummary): void {
  const b = s.balance;
  const template = BUILT_IN_TEMPLATES.find((t) => t.id === s.templateId);
  out(`${template?.name ?? s.templateId} — ${s.period} (window ${s.window.from} to ${s.window.to})`);
  out(
    `  rules v${s.ruleVersion} ${s.ruleHash.slice(0, 12)}, inputs ${s.inputHash.slice(0, 12)}: ${s.leftRows} left, ${s.rightRows} right rows, ${s.changedRows} new or changed; run ${s.runId} in ${s.durationMs} ms${s.phasesMs ? ` (read ${s.phasesMs.read}, match ${s.phasesMs.match}, classify ${s.phasesMs.classify}, save ${s.phasesMs.save})` : ""}`,
  );
  out("  matched by pass:");
  for (const p of s.passes) {
    out(
      `    ${p.passId.padEnd(22)} ${String(p.groups).padStart(8)} groups  ${String(p.leftRows).padStart(8)} left  ${String(p.rightRows).padStart(8)} right${p.suggested ? `  (${p.suggested} suggested)` : ""}  ${p.label}`,
    );
  }
  if (s.manualGroups) out(`    ${"manual".padEnd(22)} ${String(s.manualGroups).padStart(8)} groups`);
  if (s.keptGroups) out(`    (${s.keptGroups} groups kept from before: manual, locked or unchanged)`);
  out("  exceptions by reason:");
  const reasons = Object.entries(s.exceptionsByReason).sort();
  if (reasons.length === 0) out("    none");
  for (const [reason, v] of reasons)
    out(`    ${reason.padEnd(28)} ${String(v.count).padStart(7)}  ${formatCents(v.amountCents).padStart(18)}`);
  const expected = Object.entries(s.expectedByReason).sort();
  if (expected.length > 0) {
    out("  expected (not exceptions):");
    for (const [reason, n] of expected) out(`    ${reason.padEnd(28)} ${String(n).padStart(7)}`);
  }
  out(`  proposed corrections: ${s.corrections} new`);
  out("  balance:");
  out(`    left total        ${formatCents(b.leftTotalCents).padStart(20)}  (${b.leftRows} rows)`);
  out(`    right total       ${formatCents(b.rightTotalCents).padStart(20)}  (${b.rightRows} rows)`);
  out(`    difference        ${formatCents(b.differenceCents).padStart(20)}`);
  out(`    matched left      ${formatCents(b.matchedLeftCents).padStart(20)}  (${b.matchedLeftRows} rows)`);
  out(`    matched right     ${formatCents(b.matchedRightCents).padStart(20)}  (${b.matchedRightRows} rows)`);
  for (const l of b.reconciling) out(`    ${`${l.kind}: ${l.reason}`.padEnd(36)} ${formatCents(l.amountCents).padStart(20)}  (${l.items})`);
  out(`    unexplained       ${formatCents(b.unexplainedCents).padStart(20)}`);
}

/** A pass's knobs on one line: what a reviewer tunes. */
function describePass(p: PassSpec): string {
  const c = passCriteria(p);
  const parts = [c.cardinality, c.results, `keys ${p.keys.map((k) => k.label).join(" + ")}`];
  if (p.amount) parts.push(`amount within ${c.amount}`);
  if (p.date) parts.push(`dates ${p.date.minDays} to ${p.date.maxDays} days apart`);
  if (p.text?.length) parts.push(`similarity ${c.text}`);
  return parts.join(", ");
}

function printRules(info: RuleSetsInfo): void {
  const t = info.active;
  const current = info.versions.find((v) => v.active);
  out(`${t.name} — rules v${t.version} (${info.activeOrigin}), hash ${info.activeHash.slice(0, 12)}`);
  if (current?.origin === "edited") out(`  saved by ${current.createdBy ?? "?"} at ${current.createdAt}: ${current.note ?? ""}`);
  out(`  run-out days: ${t.runOutDays}`);
  out("  passes, in order:");
  t.passes.forEach((p, i) => out(`    ${i + 1}. ${p.id.padEnd(20)} ${describePass(p)}`));
  out(`  exception rules: ${t.exceptions.map((e) => e.reason).join(", ") || "none"}`);
  out(`  expected rules: ${t.expected.map((e) => e.reason).join(", ") || "none"}`);
  if (info.activeOrigin === "edited") {
    const changes = describeRuleChanges(info.builtIn, t);
    out(`  differs from the built-in rules v${info.builtIn.version}:`);
    for (const c of changes) out(`    ${c}`);
  }
  out("  versions (newest first):");
  if (info.versions.length === 0) out("    none stored yet: a run or a save stores the rules it uses");
  for (const v of info.versions)
    out(
      `    ${v.active ? "*" : " "} v${String(v.version).padEnd(4)} ${v.origin.padEnd(9)} ${v.hash.slice(0, 12)}  ${v.createdAt}  ${v.createdBy ?? ""}${v.note ? `  "${v.note}"` : ""}`,
    );
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

export const RECON_COMMANDS: Record<string, Command> = {
  reconcile: {
    summary: "Run a reconciliation template for a period: matches per pass, exceptions, balance",
    usage: `tieout reconcile TEMPLATE|all --db FILE --period YYYY-MM [--json]   (templates: ${BUILT_IN_TEMPLATES.map((t) => t.id).join(", ")})`,
    options: { db: { type: "string" }, period: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: true,
    async run(values, positionals) {
      const id = positionals[0];
      if (!id) throw new UsageError("name the template to run (or all)");
      const ids = id === "all" ? BUILT_IN_TEMPLATES.map((t) => t.id) : [id];
      if (!ids.every((t) => BUILT_IN_TEMPLATES.some((b) => b.id === t))) throw new UsageError(`unknown template "${id}"`);
      const period = requirePeriod(values);
      const engine = await createEngine({ dbPath: requireStore(values), mode: "cli" });
      try {
        const summaries: ReconRunSummary[] = [];
        for (const templateId of ids) summaries.push(await reconcileInWorker(engine, templateId, period));
        if (values.json) out(JSON.stringify(ids.length === 1 ? summaries[0] : summaries, null, 2));
        else summaries.forEach((s, i) => (i > 0 ? (out(""), printSummary(s)) : printSummary(s)));
        return 0;
      } finally {
        await engine.close();
      }
    },
  },
  rules: {
    summary: "Show a template's matching rules and their versions; save edited rules, or use another version",
    usage:
      "tieout rules TEMPLATE --db FILE [--json]  |  --set RULES.json --note WHY  |  --use VERSION|HASH|built-in --note WHY   (--json prints the rules in use, to edit and --set)",
    options: {
      db: { type: "string" },
      json: { type: "boolean" },
      set: { type: "string" },
      use: { type: "string" },
      note: { type: "string" },
    },
    allowPositionals: true,
    async run(values, positionals) {
      const templateId = positionals[0];
      if (!templateId) throw new UsageError("name the template");
      if (!BUILT_IN_TEMPLATES.some((t) => t.id === templateId)) throw new UsageError(`unknown template "${templateId}"`);
      if (values.set !== undefined && values.use !== undefined) throw new UsageError("--set and --use do not go together");
      const engine = await createEngine({ dbPath: requireStore(values), mode: "cli" });
      try {
        const ctx = cliContext();
        if (typeof values.set === "string") {
          if (typeof values.note !== "string" || values.note.trim() === "")
            throw new UsageError("--note WHY is required with --set (it goes into the audit trail)");
          const file = resolve(values.set);
          if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
          let definition: unknown;
          try {
            definition = JSON.parse(readFileSync(file, "utf8"));
          } catch (error) {
            throw new Error(`${file} is not JSON: ${(error as Error).message}`);
          }
          try {
            const saved = await engine.invokeAs(ctx, "recon/saveRules", {
              templateId,
              definition: definition as ReconTemplate,
              note: values.note,
            });
            out(`saved ${templateId} rules v${saved.version} (${saved.hash.slice(0, 12)}); runs use them from now on`);
            for (const c of saved.changes ?? []) out(`  ${c}`);
          } catch (error) {
            const issues = (error as { details?: { issues?: { path: string; message: string }[] } }).details?.issues;
            if (!issues) throw error;
            err(`tieout rules: ${file}: the rules were not saved:`);
            for (const i of issues) err(`  ${i.path}: ${i.message}`);
            return 1;
          }
          return 0;
        }
        if (typeof values.use === "string") {
          if (typeof values.note !== "string" || values.note.trim() === "")
            throw new UsageError("--note WHY is required with --use (it goes into the audit trail)");
          const info = await engine.invokeAs(ctx, "recon/rules", { templateId });
          let hash: string | null = null;
          if (values.use !== "built-in") {
            const wanted = values.use.replace(/^v/, "");
            const byVersion = /^\d+$/.test(wanted) ? info.versions.filter((v) => String(v.version) === wanted) : [];
            // A hash prefix of at least 8 characters: a shorter one could pick some other version by chance.
            const prefix = /^[0-9a-f]{8,64}$/.test(values.use) ? values.use : null;
            const matches = byVersion.length > 0 || prefix === null ? byVersion : info.versions.filter((v) => v.hash.startsWith(prefix));
            if (matches.length === 0)
              throw new UsageError(
                `no stored version "${values.use}" of ${templateId} (give a version number, built-in, or at least 8 characters of a hash): see tieout rules ${templateId} --db FILE`,
              );
            if (matches.length > 1)
              throw new UsageError(
                `"${values.use}" names ${matches.length} stored versions (${matches.map((m) => `${m.origin} ${m.hash.slice(0, 12)}`).join(", ")}): give the hash`,
              );
            hash = matches[0]!.hash;
          }
          const used = await engine.invokeAs(ctx, "recon/useRules", {
            templateId,
            hash,
            note: values.note,
          });
          out(`${templateId} runs now use rules v${used.version} (${used.origin}, ${used.hash.slice(0, 12)})`);
          return 0;
        }
        const info = await engine.invokeAs(ctx, "recon/rules", { templateId });
        if (values.json) out(JSON.stringify(info.active, null, 2));
        else printRules(info);
        return 0;
      } finally {
        await engine.close();
      }
    },
  },
  score: {
    summary: "Precision and recall of matches and exceptions per template against the generator's truth.json",
    usage: "tieout score --db FILE --truth FILE [--json]   (runs any template not yet run for the truth's period)",
    options: { db: { type: "string" }, truth: { type: "string" }, json: { type: "boolean" } },
    async run(values) {
      if (typeof values.truth !== "string") throw new UsageError("--truth FILE is required (truth.json from the generator)");
      const truthPath = resolve(values.truth);
      if (!existsSync(truthPath)) throw new UsageError(`${truthPath} does not exist`);
      const truth = readTruth(truthPath);
      const engine = await createEngine({ dbPath: requireStore(values), mode: "cli" });
      try {
        let report = scoreAgainstTruth(engine.store, truth);
        for (const templateId of report.notRun) await reconcileInWorker(engine, templateId, truth.period);
        if (report.notRun.length > 0) report = scoreAgainstTruth(engine.store, truth);
        if (values.json) {
          out(JSON.stringify(report, null, 2));
        } else {
          out(`Score against ${truthPath} (${truth.encounters} encounters, period ${truth.period})`);
          out(
            `${"template".padEnd(24)}${"kind".padEnd(12)}${"precision".padStart(10)}${"recall".padStart(10)}${"TP".padStart(9)}${"FP".padStart(7)}${"FN".padStart(7)}${"twins".padStart(7)}${"P twins".padStart(10)}${"R twins".padStart(10)}`,
          );
          const line = (l: ScoreLine) =>
            out(
              `${l.templateId.padEnd(24)}${l.kind.padEnd(12)}${pct(l.precision).padStart(10)}${pct(l.recall).padStart(10)}${String(l.truePositives).padStart(9)}${String(l.falsePositives).padStart(7)}${String(l.falseNegatives).padStart(7)}${String(l.twinSwaps).padStart(7)}${pct(l.precisionTwins).padStart(10)}${pct(l.recallTwins).padStart(10)}`,
            );
          report.lines.forEach(line);
          out(
            "twins: a false positive and a false negative whose records agree in every field but their identifiers (a choice no data can make); P/R twins count them as found.",
          );
        }
        return 0;
      } finally {
        await engine.close();
      }
    },
  },
};
