import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ReconRunSummary, ScoreLine } from "../../../src-shared/api/recon";
import { createEngine, type Engine } from "../../engine/engine";
import { formatCents } from "../../engine/match/normalize";
import { readTruth, scoreAgainstTruth } from "../../engine/recon/score";
import { BUILT_IN_TEMPLATES } from "../../engine/recon/templates";
import { cliContext, out, requireDb, UsageError, type Command } from "../command";

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
      if (typeof values.period !== "string") throw new UsageError("--period YYYY-MM is required");
      const engine = await createEngine({ dbPath: requireDb(values), mode: "cli" });
      try {
        const summaries: ReconRunSummary[] = [];
        for (const templateId of ids) summaries.push(await reconcileInWorker(engine, templateId, values.period));
        if (values.json) out(JSON.stringify(ids.length === 1 ? summaries[0] : summaries, null, 2));
        else summaries.forEach((s, i) => (i > 0 ? (out(""), printSummary(s)) : printSummary(s)));
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
      const engine = await createEngine({ dbPath: requireDb(values), mode: "cli" });
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
