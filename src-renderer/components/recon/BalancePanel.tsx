import type { ReconBalance } from "../../../src-shared/api/recon";
import { formatMoney, formatNumber } from "../../format";
import { reasonLabel } from "./reconLabels";

const KIND_LABEL = { exception: "exception", expected: "expected", explained: "explained", variance: "variance in match" } as const;

/**
 * The balance of a reconciliation, to the cent: left − right = Σ reconciling items + unexplained.
 * The tie-out is checked here too, so a mismatch between the engine's figures shows.
 */
export function BalancePanel({
  balance,
  leftLabel,
  rightLabel,
  onReason,
}: {
  balance: ReconBalance;
  leftLabel: string;
  rightLabel: string;
  onReason?: (reason: string) => void;
}) {
  const reconcilingCents = balance.reconciling.reduce((sum, line) => sum + line.amountCents, 0);
  const arithmeticTies = balance.leftTotalCents - balance.rightTotalCents === reconcilingCents + balance.unexplainedCents;
  const ties = arithmeticTies && balance.unexplainedCents === 0;
  return (
    <section className="recon-balance" aria-label="Balance" data-testid="balance-panel">
      <dl className="balance-figures">
        <div>
          <dt>{leftLabel}</dt>
          <dd className="num" data-testid="balance-left">
            {formatMoney(balance.leftTotalCents)}
          </dd>
          <dd className="muted num">{formatNumber(balance.leftRows)} rows</dd>
        </div>
        <div>
          <dt>{rightLabel}</dt>
          <dd className="num" data-testid="balance-right">
            {formatMoney(balance.rightTotalCents)}
          </dd>
          <dd className="muted num">{formatNumber(balance.rightRows)} rows</dd>
        </div>
        <div>
          <dt>Difference (left − right)</dt>
          <dd className="num" data-testid="balance-difference">
            {formatMoney(balance.differenceCents)}
          </dd>
        </div>
        <div>
          <dt>Matched</dt>
          <dd className="num" title={`left ${formatMoney(balance.matchedLeftCents)}, right ${formatMoney(balance.matchedRightCents)}`}>
            {formatMoney(balance.matchedLeftCents)}
          </dd>
          <dd className="muted num">
            {formatNumber(balance.matchedLeftRows)} ↔ {formatNumber(balance.matchedRightRows)} rows
          </dd>
        </div>
        <div className={ties ? "tie-ok" : "tie-off"}>
          <dt>Unexplained difference</dt>
          <dd className="num balance-unexplained" data-testid="balance-unexplained">
            {formatMoney(balance.unexplainedCents)}
          </dd>
          <dd data-testid="balance-tie">
            {ties ? "✔ ties to the cent" : arithmeticTies ? "✖ not explained yet" : "✖ figures do not add up"}
          </dd>
        </div>
      </dl>
      <table className="plain reconciling-table" aria-label="Reconciling items by reason">
        <thead>
          <tr>
            <th>Reconciling item</th>
            <th>Kind</th>
            <th className="num">Items</th>
            <th className="num">Effect on left − right</th>
          </tr>
        </thead>
        <tbody>
          {balance.reconciling.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No reconciling items: every row is matched.
              </td>
            </tr>
          )}
          {balance.reconciling.map((line) => (
            <tr key={`${line.kind}:${line.reason}`}>
              <td>
                {onReason ? (
                  <button type="button" className="link" onClick={() => onReason(line.reason)} title="Show these rows">
                    {reasonLabel(line.reason)}
                  </button>
                ) : (
                  reasonLabel(line.reason)
                )}
              </td>
              <td className="muted">{KIND_LABEL[line.kind]}</td>
              <td className="num">{formatNumber(line.items)}</td>
              <td className="num">{formatMoney(line.amountCents)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={3}>Σ reconciling items + unexplained</td>
            <td className="num" data-testid="balance-reconciling-total">
              {formatMoney(reconcilingCents + balance.unexplainedCents)}
            </td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}
