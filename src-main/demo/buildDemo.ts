import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IngestResult } from "../../src-shared/api";
import type { ReconRunSummary } from "../../src-shared/api/recon";
import { generateHealthSystem, mappingProfiles } from "../../fixtures/generator";
import { ensureDemoUsers } from "../engine/auth/users";
import { ingestPaths } from "../engine/ingest/ingestPaths";
import { runReconciliation } from "../engine/recon/run";
import { BUILT_IN_TEMPLATES } from "../engine/recon/templates";
import { saveProfile } from "../engine/ingest/profiles";
import type { Store } from "../engine/store/store";

export interface DemoOptions {
  encounters?: number;
  seed?: number;
  period?: string;
  /** Where the generated files go; a temporary folder when absent. */
  outDir?: string;
  onProgress?: (message: string) => void;
  /** How each template is run; in this thread by default (fine for a demo-sized month). */
  reconcile?: (templateId: string, period: string) => Promise<ReconRunSummary>;
}

export interface DemoResult {
  outDir: string;
  files: string[];
  ingest: IngestResult | null;
  reconciliations: ReconRunSummary[];
}

/**
 * The built-in demo health system: generate one month of consistent EHR, billing,
 * bank and ERP files (fixtures/generator), save the generator's CSV layouts as
 * mapping profiles, and import everything. Lives with the front doors, not in the
 * engine, because the generator is a fixture.
 */
export async function buildDemo(store: Store | null, options: DemoOptions = {}): Promise<DemoResult> {
  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), "tieout-demo-"));
  const generated = await generateHealthSystem({
    outDir,
    encounters: options.encounters ?? 1000,
    seed: options.seed ?? 1,
    ...(options.period ? { period: options.period } : {}),
    onProgress: (p) => options.onProgress?.(`generating ${p.phase}: ${p.done}/${p.total}`),
  });
  if (!store) return { outDir, files: generated.files, ingest: null, reconciliations: [] };
  ensureDemoUsers(store);
  for (const profile of mappingProfiles) saveProfile(store, profile);
  // The data files, not truth.json or manifest.json; and not the message stream, which
  // carries the same messages as the HL7 batch files (it is for the stand-in MLLP sender).
  const dataFiles = generated.manifest.files.filter((f) => f.content !== "message-stream").map((f) => join(outDir, f.path));
  const ingest = ingestPaths(store, dataFiles, {
    onProgress: (p) => options.onProgress?.(`importing ${p.file} (${p.fileIndex + 1}/${p.files}): ${p.done}/${p.total}`),
  });
  // The workbench opens on reconciled data: every template, for the demo's month.
  const reconcile =
    options.reconcile ??
    ((templateId: string, period: string) => Promise.resolve(runReconciliation(store, templateId, period, { actor: "system" })));
  const reconciliations: ReconRunSummary[] = [];
  for (const template of BUILT_IN_TEMPLATES) {
    options.onProgress?.(`reconciling ${template.name}`);
    reconciliations.push(await reconcile(template.id, generated.manifest.period));
  }
  return { outDir, files: generated.files, ingest, reconciliations };
}
