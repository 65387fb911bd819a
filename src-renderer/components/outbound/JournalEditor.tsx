import { useMemo, useState, type FormEvent, type KeyboardEvent } from "react";
import type { AdjustmentDetail, JournalInput } from "../../../src-shared/api/outbound";
import { parseDecimalToCents } from "../../../src-shared/money";
import { call } from "../../api/client";
import { useApiQuery } from "../../api/hooks";
import { formatMoney } from "../../format";

interface LineDraft {
  account: string;
  costCenter: string;
  departmentCode: string;
  debit: string;
  credit: string;
  description: string;
}

const emptyLine = (): LineDraft => ({ account: "", costCenter: "", departmentCode: "", debit: "", credit: "", description: "" });

/** An amount cell's cents, or an error; an empty cell is zero. */
function amount(text: string): { cents: number; error: string | null } {
  if (text.trim() === "") return { cents: 0, error: null };
  const parsed = parseDecimalToCents(text.replace(/,/g, ""));
  if (!parsed.ok) return { cents: 0, error: parsed.reason };
  if (parsed.cents < 0) return { cents: 0, error: "enter a positive amount in the debit or the credit column" };
  return { cents: parsed.cents, error: null };
}

const centsToInput = (cents: number): string => (cents === 0 ? "" : `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`);

function lastDayOfMonth(period: string): string {
  const [y, m] = period.split("-").map(Number);
  if (!y || !m) return "";
  const day = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${period}-${String(day).padStart(2, "0")}`;
}

/**
 * The hand-made journal: header fields and a lines grid with running debit and credit
 * totals. It saves a draft whatever its state; submitting needs it to balance, and the
 * engine names anything else that is wrong.
 */
export function JournalEditor({
  existing,
  onSaved,
  onCancel,
}: {
  existing?: AdjustmentDetail;
  onSaved: (detail: AdjustmentDetail, submitted: boolean) => void;
  onCancel: () => void;
}) {
  const accounts = useApiQuery("adjustments/accounts", {});
  const thisMonth = new Date().toISOString().slice(0, 7);
  const [ledger, setLedger] = useState(existing?.journal?.ledger ?? "US-PRIMARY");
  const [period, setPeriod] = useState(existing?.journal?.period ?? thisMonth);
  const [accountingDate, setAccountingDate] = useState(existing?.journal?.accountingDate ?? lastDayOfMonth(thisMonth));
  const [description, setDescription] = useState(existing?.journal?.description ?? "");
  const [reconRef, setReconRef] = useState(existing?.reconRef ?? "");
  const [exceptionRef, setExceptionRef] = useState(existing?.exceptionRef ?? "");
  const [lines, setLines] = useState<LineDraft[]>(
    existing?.journal?.lines.map((l) => ({
      account: l.account,
      costCenter: l.costCenter ?? "",
      departmentCode: l.departmentCode ?? "",
      debit: centsToInput(l.debitCents),
      credit: centsToInput(l.creditCents),
      description: l.description ?? "",
    })) ?? [emptyLine(), emptyLine()],
  );
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const parsed = useMemo(() => lines.map((l) => ({ debit: amount(l.debit), credit: amount(l.credit) })), [lines]);
  const debits = parsed.reduce((s, p) => s + p.debit.cents, 0);
  const credits = parsed.reduce((s, p) => s + p.credit.cents, 0);
  const difference = debits - credits;
  const amountErrors = parsed.flatMap((p, i) => [p.debit.error, p.credit.error].filter(Boolean).map((e) => `line ${i + 1}: ${e}`));

  const setLine = (index: number, field: keyof LineDraft, value: string) =>
    setLines((current) => current.map((l, i) => (i === index ? { ...l, [field]: value } : l)));

  const input = (): JournalInput => ({
    ledger,
    period,
    accountingDate,
    description,
    reconRef: reconRef || null,
    exceptionRef: exceptionRef || null,
    lines: lines
      .filter((l, i) => l.account.trim() !== "" || parsed[i]!.debit.cents > 0 || parsed[i]!.credit.cents > 0)
      .map((l) => {
        const index = lines.indexOf(l);
        return {
          account: l.account.trim(),
          costCenter: l.costCenter.trim() || null,
          departmentCode: l.departmentCode.trim() || null,
          debitCents: parsed[index]!.debit.cents,
          creditCents: parsed[index]!.credit.cents,
          description: l.description.trim() || null,
        };
      }),
  });

  const save = async (submit: boolean) => {
    if (amountErrors.length > 0) {
      setMessage(amountErrors[0]!);
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      let detail = existing
        ? await call("adjustments/update", { id: existing.id, journal: input() })
        : await call("adjustments/createJournal", input());
      if (submit) detail = await call("adjustments/submit", { id: detail.id });
      onSaved(detail, submit);
    } catch (error) {
      setMessage((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void save(false);
  };

  // Enter in the last line's last cell adds a line, as in a spreadsheet.
  const onLastCellKey = (event: KeyboardEvent<HTMLInputElement>, index: number) => {
    if (event.key === "Enter" && index === lines.length - 1) {
      event.preventDefault();
      setLines((current) => [...current, emptyLine()]);
    }
  };

  return (
    <form className="ob-editor" aria-label="Journal" onSubmit={onSubmit}>
      <h3>{existing ? `Edit ${existing.number}` : "New journal"}</h3>
      <div className="ob-header-fields">
        <label>
          Ledger
          <input value={ledger} onChange={(e) => setLedger(e.target.value)} required />
        </label>
        <label>
          Period
          <input
            value={period}
            placeholder="YYYY-MM"
            onChange={(e) => {
              setPeriod(e.target.value);
              if (/^\d{4}-\d{2}$/.test(e.target.value)) setAccountingDate(lastDayOfMonth(e.target.value));
            }}
          />
        </label>
        <label>
          Accounting date
          <input type="date" value={accountingDate} onChange={(e) => setAccountingDate(e.target.value)} />
        </label>
        <label className="ob-wide">
          Journal description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          Reconciliation
          <input value={reconRef} onChange={(e) => setReconRef(e.target.value)} placeholder="optional" />
        </label>
        <label>
          Exception
          <input value={exceptionRef} onChange={(e) => setExceptionRef(e.target.value)} placeholder="optional" />
        </label>
      </div>
      <datalist id="ob-accounts">
        {(accounts.data ?? []).map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <table className="plain ob-lines">
        <thead>
          <tr>
            <th>#</th>
            <th>Account</th>
            <th>Cost center</th>
            <th>Department</th>
            <th className="num">Debit</th>
            <th className="num">Credit</th>
            <th>Description</th>
            <th>
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line, index) => {
            const n = index + 1;
            return (
              <tr key={index}>
                <td className="muted">{n}</td>
                <td>
                  <input
                    aria-label={`Line ${n} account`}
                    list="ob-accounts"
                    value={line.account}
                    onChange={(e) => setLine(index, "account", e.target.value)}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Line ${n} cost center`}
                    value={line.costCenter}
                    onChange={(e) => setLine(index, "costCenter", e.target.value)}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Line ${n} department`}
                    value={line.departmentCode}
                    onChange={(e) => setLine(index, "departmentCode", e.target.value)}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Line ${n} debit`}
                    className="num"
                    inputMode="decimal"
                    aria-invalid={parsed[index]!.debit.error !== null}
                    value={line.debit}
                    onChange={(e) => setLine(index, "debit", e.target.value)}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Line ${n} credit`}
                    className="num"
                    inputMode="decimal"
                    aria-invalid={parsed[index]!.credit.error !== null}
                    value={line.credit}
                    onChange={(e) => setLine(index, "credit", e.target.value)}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Line ${n} description`}
                    value={line.description}
                    onChange={(e) => setLine(index, "description", e.target.value)}
                    onKeyDown={(e) => onLastCellKey(e, index)}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-label={`Remove line ${n}`}
                    disabled={lines.length <= 1}
                    onClick={() => setLines((current) => current.filter((_, i) => i !== index))}
                  >
                    ×
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={4}>
              <button type="button" onClick={() => setLines((current) => [...current, emptyLine()])}>
                Add line
              </button>
            </td>
            <td className="num" data-testid="total-debits">
              {formatMoney(debits)}
            </td>
            <td className="num" data-testid="total-credits">
              {formatMoney(credits)}
            </td>
            <td colSpan={2} className={difference === 0 ? "ob-balanced" : "warn"} data-testid="balance-state" role="status">
              {difference === 0 ? "Balanced" : `Out of balance by ${formatMoney(Math.abs(difference))}`}
            </td>
          </tr>
        </tfoot>
      </table>
      {amountErrors.length > 0 && <p className="error">{amountErrors[0]}</p>}
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      <div className="ob-actions">
        <button type="submit" disabled={busy}>
          Save draft
        </button>
        <button type="button" className="primary" disabled={busy || difference !== 0 || debits === 0} onClick={() => void save(true)}>
          Save and submit
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
