import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateHealthSystem } from "../../fixtures/generator";
import { startEhrSender } from "../../fixtures/standins/ehrSender";
import { startErpStandin } from "../../fixtures/standins/erpStandin";

export interface RunningStandins {
  erpUrl: string;
  messages: number;
  stop(): Promise<void>;
}

/**
 * The stand-in systems for trying the workbench by hand: an ERP over HTTP, and an EHR
 * streaming a fresh day's HL7 messages (another seed than the demo's, so they are new
 * encounters) to the live feed at a steady, visible rate.
 */
export async function startStandins(feedPort: number, ratePerSecond = 5): Promise<RunningStandins> {
  const erp = await startErpStandin({ port: 0 });
  const outDir = mkdtempSync(join(tmpdir(), "tieout-standin-ehr-"));
  const generated = await generateHealthSystem({ outDir, encounters: 200, seed: 7 });
  const stream = generated.manifest.files.find((f) => f.content === "message-stream");
  const text = stream ? readFileSync(join(outDir, stream.path), "utf8") : "";
  const sender = startEhrSender({ host: "127.0.0.1", port: feedPort, messages: text, ratePerSecond });
  return {
    erpUrl: erp.url,
    messages: stream?.units ?? 0,
    async stop() {
      await sender.stop();
      await erp.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
