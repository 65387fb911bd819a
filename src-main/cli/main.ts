import { readFileSync } from "node:fs";
import type { MllpListenerEvent } from "../../connectors/hl7v2/mllpListener";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createEngine } from "../engine/engine";
import { startHl7Feed } from "../engine/ingest/hl7Feed";
import { ingestPaths } from "../engine/ingest/ingestPaths";
import { openStore } from "../engine/store/store";
import { storeSummary } from "../engine/store/summary";
import { buildDemo } from "../demo/buildDemo";
import { startWebServer } from "../server/webServer";
import { startStandins } from "../demo/standins";
import { cliContext, err, intOption, out, requireDb, untilStopped, UsageError, type Command } from "./command";
import { AUDIT_COMMANDS } from "./commands/audit";
import { OUTBOUND_COMMANDS } from "./commands/outbound";
import { RECON_COMMANDS, reconcileInWorker } from "./commands/recon";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const VERSION = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
const DEFAULT_DEMO_DB = join(homedir(), ".tieout", "demo.db");

const commands: Record<string, Command> = {
  migrate: {
    summary: "Create a database or upgrade it to this version's schema",
    usage: "tieout migrate --db FILE",
    options: { db: { type: "string" } },
    async run(values) {
      const store = await openStore(requireDb(values));
      out(
        store.applied.length > 0
          ? `${store.path}: applied ${store.applied.join(", ")}; schema version ${store.schemaVersion}`
          : `${store.path}: already at schema version ${store.schemaVersion}; nothing to do`,
      );
      await store.close();
      return 0;
    },
  },
  serve: {
    summary: "Serve the workbench to a browser on this machine (web mode)",
    usage: "tieout serve --db FILE [--port N] [--host 127.0.0.1] [--demo] [--demo-encounters N] [--mllp PORT] [--standins]",
    options: {
      db: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      demo: { type: "boolean" },
      "demo-encounters": { type: "string" },
      mllp: { type: "string" },
      standins: { type: "boolean" },
    },
    async run(values) {
      const dbPath = values.demo && !values.db ? DEFAULT_DEMO_DB : requireDb(values);
      const port = intOption(values, "port", 0);
      const host = typeof values.host === "string" ? values.host : "127.0.0.1";
      if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1") {
        err(`warning: serving on ${host}, not loopback: anyone who can reach this machine and has the token can use it`);
      }
      const engine = await createEngine({ dbPath, mode: "web", version: VERSION });
      if (values.demo && storeSummary(engine.store).rawRecords === 0) {
        err("Building the demo health system (first launch on this database)...");
        const demo = await buildDemo(engine.store, { encounters: intOption(values, "demo-encounters", 1000) });
        err(`Demo loaded from ${demo.outDir}: ${demo.ingest?.loaded ?? 0} records loaded, ${demo.ingest?.quarantined ?? 0} quarantined`);
      }
      const server = await startWebServer({ engine, host, port, staticDir: join(repoRoot, "dist", "web") });
      // The live HL7 feed, and on request the stand-in EHR and ERP, so the workbench can be tried end to end.
      const feed =
        values.mllp !== undefined || values.standins
          ? await startHl7Feed(engine.store, engine.events, { port: intOption(values, "mllp", 0) })
          : null;
      const standins = values.standins && feed ? await startStandins(feed.port) : null;
      out(`Tieout is serving ${dbPath}`);
      if (feed) out(`HL7 v2 feed (MLLP) listening on ${feed.host}:${feed.port}`);
      if (standins) out(`Stand-in ERP at ${standins.erpUrl}; stand-in EHR streaming ${standins.messages} messages to the feed`);
      out(`Open: ${server.loginUrl}`);
      out("Press Ctrl+C to stop.");
      await untilStopped();
      await standins?.stop();
      await feed?.close();
      await server.close();
      await engine.close();
      return 0;
    },
  },
  listen: {
    summary: "Run the HL7 v2 live feed headless: an MLLP listener that stores, then acknowledges",
    usage: "tieout listen --db FILE --mllp PORT [--host 127.0.0.1] [--tls-key FILE --tls-cert FILE]",
    options: {
      db: { type: "string" },
      mllp: { type: "string" },
      host: { type: "string" },
      "tls-key": { type: "string" },
      "tls-cert": { type: "string" },
    },
    async run(values) {
      const store = await openStore(requireDb(values));
      if (values.mllp === undefined) throw new UsageError("--mllp PORT is required");
      const tls =
        typeof values["tls-key"] === "string" && typeof values["tls-cert"] === "string"
          ? { key: readFileSync(values["tls-key"]), cert: readFileSync(values["tls-cert"]) }
          : undefined;
      if ((values["tls-key"] === undefined) !== (values["tls-cert"] === undefined))
        throw new UsageError("TLS needs both --tls-key and --tls-cert");
      const counts = { AA: 0, AE: 0, AR: 0 };
      const feed = await startHl7Feed(store, null, {
        port: intOption(values, "mllp", 2575),
        ...(typeof values.host === "string" ? { host: values.host } : {}),
        ...(tls ? { tls } : {}),
        onEvent: (event: MllpListenerEvent) => {
          if (event.type === "ack") counts[event.ackCode]++;
          if (event.type === "connection") err(`connected: ${event.remoteAddress}:${event.remotePort}`);
          if (event.type === "disconnection")
            err(`disconnected: ${event.remoteAddress}:${event.remotePort} after ${event.messages} messages`);
          if (event.type === "handler-error" || event.type === "error") err(`error: ${event.message}`);
        },
      });
      out(`Listening for HL7 v2 over MLLP${tls ? " (TLS)" : ""} on ${feed.host}:${feed.port}, storing into ${store.path}`);
      out("Press Ctrl+C to stop.");
      await untilStopped();
      await feed.close();
      await store.close();
      out(`stopped: ${counts.AA} AA, ${counts.AE} AE, ${counts.AR} AR`);
      return 0;
    },
  },
  ingest: {
    summary: "Import files or folders into the store and print per-file counts",
    usage: "tieout ingest PATH... --db FILE [--json]",
    options: { db: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: true,
    async run(values, positionals) {
      if (positionals.length === 0) throw new UsageError("give at least one file or folder to import");
      const store = await openStore(requireDb(values));
      try {
        const result = ingestPaths(
          store,
          positionals.map((p) => resolve(p)),
          {
            actor: cliContext().actor,
            ...(values.json || !process.stderr.isTTY
              ? {}
              : { onProgress: (p) => process.stderr.write(`\r${p.file}: ${p.done}/${p.total}   `) }),
          },
        );
        if (!values.json && process.stderr.isTTY) process.stderr.write("\n");
        if (values.json) {
          out(JSON.stringify(result, null, 2));
        } else {
          for (const f of result.files) {
            const what = f.duplicateFile
              ? "already imported; nothing changed"
              : `${f.records} records, ${f.loaded} loaded, ${f.quarantined} quarantined, ${f.duplicates} duplicates`;
            out(`${f.file} [${f.format ?? "unknown"}]: ${what}`);
            for (const issue of f.issues.filter((i) => i.severity === "error").slice(0, 3)) out(`  ${issue.message}`);
          }
          out(
            `total: ${result.records} records, ${result.loaded} loaded, ${result.quarantined} quarantined, ${result.duplicates} duplicates`,
          );
        }
        return 0;
      } finally {
        await store.close();
      }
    },
  },
  demo: {
    summary: "Generate the synthetic health system; with --db also load it",
    usage: "tieout demo [--db FILE] [--encounters N] [--seed S] [--period YYYY-MM] [--out DIR]",
    options: {
      db: { type: "string" },
      encounters: { type: "string" },
      seed: { type: "string" },
      period: { type: "string" },
      out: { type: "string" },
    },
    async run(values) {
      if (!values.db && !values.out) throw new UsageError("give --db FILE to generate and load, or --out DIR to only write the files");
      // An engine, not only a store: its reconciliations run as jobs in a worker with a heap
      // sized to the machine, which a million encounters needs.
      const engine = values.db ? await createEngine({ dbPath: requireDb(values), mode: "cli" }) : null;
      try {
        const result = await buildDemo(engine?.store ?? null, {
          ...(engine ? { reconcile: (templateId: string, period: string) => reconcileInWorker(engine, templateId, period) } : {}),
          encounters: intOption(values, "encounters", 1000),
          seed: intOption(values, "seed", 1),
          ...(typeof values.period === "string" ? { period: values.period } : {}),
          ...(typeof values.out === "string" ? { outDir: resolve(values.out) } : {}),
          // A progress line only for a person at a terminal, not in logs or pipes.
          ...(process.stderr.isTTY ? { onProgress: (m: string) => process.stderr.write(`\r${m}`.padEnd(100)) } : {}),
        });
        if (process.stderr.isTTY) process.stderr.write("\n");
        out(`wrote ${result.files.length} files to ${result.outDir}`);
        if (result.ingest) {
          out(`loaded ${result.ingest.loaded} records, ${result.ingest.quarantined} quarantined, ${result.ingest.duplicates} duplicates`);
          for (const run of result.reconciliations) {
            const exceptions = Object.values(run.exceptionsByReason).reduce((n, e) => n + e.count, 0);
            out(
              `reconciled ${run.templateId}: ${exceptions} exceptions, unexplained difference ${(run.balance.unexplainedCents / 100).toFixed(2)}`,
            );
          }
        }
        return 0;
      } finally {
        await engine?.close();
      }
    },
  },
};

for (const [name, command] of Object.entries({ ...RECON_COMMANDS, ...OUTBOUND_COMMANDS, ...AUDIT_COMMANDS })) {
  if (commands[name]) throw new Error(`the CLI command "${name}" is defined twice`);
  commands[name] = command;
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    `tieout ${VERSION} — reconciliation workbench for health systems`,
    "",
    "Usage: tieout <command> [options]",
    "",
    "Commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}\n  ${" ".repeat(width)}  ${c.usage}`),
    "",
    "Run `tieout <command> --help` for one command.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out(help());
    return 0;
  }
  if (name === "--version" || name === "-v") {
    out(VERSION);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    err(`tieout: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    out(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    return await command.run(values as Record<string, string | boolean | undefined>, positionals);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err(`tieout ${name}: ${(error as Error).message}\nUsage: ${command.usage}`);
      return 2;
    }
    // Anything else is a problem a user can read: no stack trace unless asked for.
    err(`tieout ${name}: ${(error as Error).message ?? String(error)}`);
    if (process.env.TIEOUT_DEBUG) err((error as Error).stack ?? "");
    return 1;
  }
}
