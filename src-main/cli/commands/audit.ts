import { resolve } from "node:path";
import { verifyAuditChain } from "../../engine/audit/auditLog";
import { cliContext, err, out, requireStore, UsageError, type Command } from "../command";
import { openStore } from "../../engine/store/store";
import { checkWorkpaperParams, exportWorkpaper } from "../../engine/workpapers/exportWorkpaper";
import { reconSourceFor } from "../../engine/workpapers/reconSource";
import { UserError } from "../../engine/handlerRegistry";

const openExisting = (values: Record<string, unknown>) => openStore(requireStore(values));

/** The audit capability's CLI commands. */
export const AUDIT_COMMANDS: Record<string, Command> = {
  audit: {
    summary: "Verify the audit trail's hash chain (exit 1 and name the first altered or removed entry)",
    usage: "tieout audit verify --db FILE [--json]",
    options: { db: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: true,
    async run(values, positionals) {
      if (positionals[0] !== "verify" || positionals.length !== 1) throw new UsageError('the audit command takes one action: "verify"');
      const store = await openExisting(values);
      try {
        const result = verifyAuditChain(store);
        if (values.json) out(JSON.stringify(result));
        else if (result.ok) out(`${store.path}: audit trail intact, ${result.entries} entries, last hash ${result.lastHash}`);
        else err(`${store.path}: audit trail BROKEN at entry ${result.firstBadSeq}: ${result.problem} (${result.entries} entries read)`);
        return result.ok ? 0 : 1;
      } finally {
        await store.close();
      }
    },
  },
  export: {
    summary: "Write a reconciliation's Excel workpaper for a period",
    usage: "tieout export workpaper --db FILE --recon ID --period YYYY-MM --out FILE.xlsx [--include-phi]",
    options: {
      db: { type: "string" },
      recon: { type: "string" },
      period: { type: "string" },
      out: { type: "string" },
      "include-phi": { type: "boolean" },
    },
    allowPositionals: true,
    async run(values, positionals) {
      if (positionals[0] !== "workpaper" || positionals.length !== 1)
        throw new UsageError('the export command takes one kind: "workpaper"');
      if (typeof values.out !== "string") throw new UsageError("--out FILE.xlsx is required");
      let params;
      try {
        params = checkWorkpaperParams({
          reconId: values.recon,
          period: values.period,
          outPath: resolve(values.out),
          includePhi: values["include-phi"] === true,
        });
      } catch (error) {
        if (error instanceof UserError) throw new UsageError(error.message);
        throw error;
      }
      const store = await openExisting(values);
      try {
        const { record, written } = await exportWorkpaper(store, reconSourceFor(store), params, cliContext().actor, {
          onProgress: (phase, done, total) => process.stderr.write(`\r${phase}: ${done}${total ? `/${total}` : ""}`.padEnd(80)),
        });
        process.stderr.write("\n");
        out(`wrote ${record.path} (${record.sheets.join(", ")}; ${record.rows} detail rows; sha256 ${record.sha256})`);
        out(
          `difference ${written.totals.differenceCents === 0 ? "zero: it ties" : `${written.totals.differenceCents} cents: it does NOT tie`}`,
        );
        return 0;
      } catch (error) {
        if (error instanceof UserError) {
          err(error.message);
          return 1;
        }
        throw error;
      } finally {
        await store.close();
      }
    },
  },
};
