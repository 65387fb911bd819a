/**
 * Synthetic canonical rows for the recon bench, written as CSV so every engine starts from
 * the same files: EHR and billing charges (late charges, charges missing in billing,
 * credits) and 835 payments against bank deposits (bundled ERAs, payment fees, traces
 * whose leading zeros the bank dropped, unapplied cash, non-ERA deposits, ERAs after the
 * statement). Deterministic for a given size; the truth is written beside the data.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "../fixtures/generator/prng";

class Csv {
  private buf: string[] = [];
  private readonly out: WriteStream;
  constructor(path: string, header: string) {
    this.out = createWriteStream(path);
    this.buf.push(header);
  }
  row(cells: (string | number)[]): void {
    this.buf.push(cells.join(","));
    if (this.buf.length >= 10_000) this.flush();
  }
  private flush(): void {
    this.out.write(this.buf.join("\n") + "\n");
    this.buf = [];
  }
  async close(): Promise<void> {
    if (this.buf.length) this.flush();
    await new Promise<void>((resolve) => this.out.end(resolve));
  }
}

const day = (d: number) => `2026-10-${String(d).padStart(2, "0")}`;
const isoDay = (d: number) => (d <= 31 ? day(d) : `2026-11-${String(d - 31).padStart(2, "0")}`);

export interface BenchCounts {
  ehrCharges: number;
  billingCharges: number;
  remits: number;
  deposits: number;
}

/** Writes the four CSV files and the truth CSVs (matches and exceptions) for `n` rows a side. */
export async function writeBenchData(dir: string, n: number): Promise<BenchCounts> {
  const rnd = seededRandom(20261001);
  const ehr = new Csv(
    join(dir, "ehr_charges.csv"),
    "transaction_id,account_number,cdm_code,service_date,posting_date,amount_cents,quantity,performing_npi",
  );
  const billing = new Csv(
    join(dir, "billing_charges.csv"),
    "transaction_id,account_number,cdm_code,service_date,posting_date,amount_cents,quantity,performing_npi",
  );
  const truthMatches = new Csv(join(dir, "truth_matches.csv"), "template,left_key,right_key");
  const truthExceptions = new Csv(join(dir, "truth_exceptions.csv"), "template,reason,side,key");
  let billingCount = 0;
  for (let i = 0; i < n; i++) {
    const account = `4${String(Math.floor(i / 3)).padStart(9, "0")}`;
    const cdm = String(3000000 + ((i * 7) % 997));
    const service = 1 + Math.floor(rnd() * 28);
    const credit = rnd() < 0.02;
    const amount = (credit ? -1 : 1) * (500 + Math.floor(rnd() * 400) * 25);
    const npi = String(1000000000 + Math.floor(rnd() * 500));
    const c = `C${String(i).padStart(10, "0")}`;
    ehr.row([c, account, cdm, day(service), day(service), amount, 1, npi]);
    const r = rnd();
    if (r < 0.01) {
      truthExceptions.row(["charge-reconciliation", "missing-in-billing", "L", `ehr:${c}`]);
      continue;
    }
    const late = r < 0.02;
    const lag = late ? 4 + Math.floor(rnd() * 9) : rnd() < 0.3 ? 1 : 0;
    const t = `T${String(i).padStart(10, "0")}`;
    billing.row([t, account, cdm, day(service), isoDay(service + lag), amount, 1, npi]);
    billingCount++;
    truthMatches.row(["charge-reconciliation", `ehr:${c}`, `billing:${t}`]);
    if (late) {
      truthExceptions.row(["charge-reconciliation", "late-charge", "L", `ehr:${c}`]);
      truthExceptions.row(["charge-reconciliation", "late-charge", "R", `billing:${t}`]);
    }
  }

  const remits = new Csv(join(dir, "remits.csv"), "trace_number,payer_identifier,amount_cents,payment_date");
  const bank = new Csv(
    join(dir, "bank.csv"),
    "bank_transaction_id,as_of_date,type_code,amount_cents,text,reassociation_trace,reassociation_payer_id",
  );
  const payers = ["1360000621", "1066033492", "1411289245", "1060908300", "1952500987", "1371500028"];
  let deposits = 0;
  let dep = 0;
  const deposit = (asOf: number, type: string, amount: number, traces: string[], payer: string | null): string => {
    const id = `071000013:${isoDay(asOf)}:${String(++dep).padStart(10, "0")}`;
    const text = traces.length ? `HCCLAIMPMT ${traces.map((t) => `TRN*1*${t}*${payer}\\`).join(" ")}` : "COMMERCIAL DEPOSIT";
    bank.row([id, isoDay(asOf), type, amount, text, traces[0] ?? "", traces.length ? (payer ?? "") : ""]);
    deposits++;
    return id;
  };
  let i = 0;
  const lastBankDay = 36; // the statement runs to 2026-11-05
  while (i < n) {
    const payer = payers[i % payers.length]!;
    const zeros = i % payers.length === 2;
    const paid = 1 + Math.floor(rnd() * 38);
    const r = rnd();
    const bundle = r < 0.1 && i + 3 <= n ? 2 + Math.floor(rnd() * 2) : 1;
    const eras: { trace: string; amount: number }[] = [];
    for (let k = 0; k < bundle; k++, i++) {
      const trace = zeros ? `000${String(i).padStart(9, "0")}` : `P${String(i).padStart(9, "0")}`;
      const amount = 1000 + Math.floor(rnd() * 2_000_000);
      remits.row([trace, payer, amount, isoDay(paid)]);
      eras.push({ trace, amount });
    }
    if (paid > lastBankDay) continue; // after the statement: legitimately unmatched
    const total = eras.reduce((s, e) => s + e.amount, 0);
    const asOf = Math.min(paid + (rnd() < 0.3 ? 1 : 0), lastBankDay);
    if (bundle === 1 && r > 0.1 && r < 0.11 && total > 5000) {
      const fee = Math.max(150, Math.min(Math.round(total / 200), 5000));
      const id = deposit(asOf, "165", total - fee, [eras[0]!.trace], payer);
      truthMatches.row(["remittance-bank", eras[0]!.trace, id]);
      truthExceptions.row(["remittance-bank", "net-of-fee", "L", eras[0]!.trace]);
      truthExceptions.row(["remittance-bank", "net-of-fee", "R", id]);
    } else if (bundle === 1 && zeros && r > 0.11 && r < 0.12) {
      const id = deposit(asOf, "165", total, [eras[0]!.trace.replace(/^0+/, "")], payer);
      truthMatches.row(["remittance-bank", eras[0]!.trace, id]);
      truthExceptions.row(["remittance-bank", "trace-mismatch", "L", eras[0]!.trace]);
      truthExceptions.row(["remittance-bank", "trace-mismatch", "R", id]);
    } else {
      const id = deposit(
        asOf,
        "165",
        total,
        eras.map((e) => e.trace),
        payer,
      );
      for (const e of eras) truthMatches.row(["remittance-bank", e.trace, id]);
    }
    if (rnd() < 0.005) {
      const id = deposit(asOf, "165", 1000 + Math.floor(rnd() * 500_000), [`U${String(i).padStart(9, "0")}`], payer);
      truthExceptions.row(["remittance-bank", "unapplied-cash", "R", id]);
    }
    if (rnd() < 0.05) deposit(asOf, "115", 1000 + Math.floor(rnd() * 100_000), [], null);
  }
  await Promise.all([ehr.close(), billing.close(), remits.close(), bank.close(), truthMatches.close(), truthExceptions.close()]);
  return { ehrCharges: n, billingCharges: billingCount, remits: n, deposits };
}
