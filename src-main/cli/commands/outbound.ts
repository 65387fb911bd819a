import { runDispatcher } from "../../engine/outbound/dispatcher";
import { loadOutboundSettings } from "../../engine/outbound/outboundSettings";
import { listOutbox, outboxStatus } from "../../engine/outbound/outbox";
import { openStore } from "../../engine/store/store";
import { err, intOption, out, requireStore, UsageError, type Command } from "../command";

/** The outbound capability's CLI commands. */
export const OUTBOUND_COMMANDS: Record<string, Command> = {
  outbox: {
    summary: "Send approved adjustments to the ERP headless, or show the outbox",
    usage:
      "tieout outbox run --db FILE [--once] [--until-idle] [--max-seconds N] [--lease-ms N]\n" +
      "  tieout outbox status --db FILE [--json]",
    options: {
      db: { type: "string" },
      once: { type: "boolean" },
      "until-idle": { type: "boolean" },
      "max-seconds": { type: "string" },
      "lease-ms": { type: "string" },
      json: { type: "boolean" },
    },
    allowPositionals: true,
    async run(values, positionals) {
      const [sub] = positionals;
      if (sub !== "run" && sub !== "status")
        throw new UsageError(`expected "run" or "status", found ${sub === undefined ? "nothing" : `"${sub}"`}`);
      const store = await openStore(requireStore(values));
      try {
        if (sub === "status") {
          const status = outboxStatus(store);
          if (values.json) {
            out(JSON.stringify({ ...status, items: listOutbox(store, { limit: 1000 }) }, null, 2));
          } else {
            out(
              Object.entries(status.counts)
                .map(([k, v]) => `${k}: ${v}`)
                .join(", "),
            );
            if (status.nextAttemptAt) out(`next attempt due at ${status.nextAttemptAt}`);
            for (const item of listOutbox(store, { status: "dead" }))
              out(`dead: ${item.adjustmentNumber} — ${item.lastError?.message ?? ""}`);
          }
          return 0;
        }
        const settings = loadOutboundSettings(store);
        if (settings.transport === "http" && !settings.erpUrl)
          err("warning: no ERP address is configured; items will wait (set it on the Outbox page)");
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        const maxSeconds = values["max-seconds"] === undefined ? undefined : intOption(values, "max-seconds", 0);
        const leaseMs = values["lease-ms"] === undefined ? undefined : intOption(values, "lease-ms", 0);
        err(`dispatching from ${store.path} (pid ${process.pid})`);
        const result = await runDispatcher(store, {
          ...(values.once ? { maxRunMs: 0 } : {}),
          ...(values["until-idle"] ? { untilIdle: true } : {}),
          ...(maxSeconds !== undefined ? { maxRunMs: maxSeconds * 1000 } : {}),
          ...(leaseMs !== undefined ? { leaseMs } : {}),
          signal: controller.signal,
          onChange: (c) => err(`item ${c.id} (adjustment ${c.adjustmentId}): ${c.status}${c.erpDocumentId ? ` ${c.erpDocumentId}` : ""}`),
        });
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        out(
          values.json
            ? JSON.stringify(result)
            : `attempted ${result.attempted}, posted ${result.posted}, retrying ${result.retrying}, dead ${result.dead}; ${result.pending} still pending`,
        );
        return 0;
      } finally {
        await store.close();
      }
    },
  },
};
