/**
 * Pages whose capability is not in this build yet. They say so plainly instead of
 * showing controls that do nothing.
 */
const NOT_YET: Record<string, { title: string; text: string }> = {
  reconciliations: {
    title: "Reconciliations",
    text: "The matching engine and the seven health-system reconciliation templates are not in this build yet. Imported data is browsable under Sources → Data.",
  },
  exceptions: {
    title: "Exceptions",
    text: "Exceptions are raised by reconciliation runs, which are not in this build yet.",
  },
  adjustments: {
    title: "Adjustments",
    text: "GL journals, inventory adjustments and master-data fixes with maker-checker approval are not in this build yet.",
  },
  outbox: {
    title: "Outbox",
    text: "Pushing approved adjustments to the ERP is not in this build yet.",
  },
  audit: {
    title: "Audit",
    text: "The hash-chained audit trail is not in this build yet.",
  },
};

export function NotYetPage({ page }: { page: keyof typeof NOT_YET }) {
  const info = NOT_YET[page]!;
  return (
    <section>
      <h2>{info.title}</h2>
      <p className="empty-state">{info.text}</p>
    </section>
  );
}
