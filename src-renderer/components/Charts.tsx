/**
 * Small SVG charts with no dependency: bars for a distribution, stacked bars for a
 * daily trend. Each bar has a title (tooltip) with the exact number, and the chart has
 * a text alternative, so nothing is only visible as a shape.
 */
export interface Bar {
  label: string;
  value: number;
  /** Exact text for the tooltip and screen readers, e.g. "212 charges, $18,230.00". */
  detail: string;
  warn?: boolean;
}

export function BarChart({ bars, title, height = 140 }: { bars: Bar[]; title: string; height?: number }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const width = Math.max(240, bars.length * 64);
  const barWidth = width / bars.length - 12;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height + 36}`}
        role="img"
        aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.detail}`).join("; ")}`}
      >
        {bars.map((bar, i) => {
          const h = Math.round((bar.value / max) * height);
          const x = i * (width / bars.length) + 6;
          return (
            <g key={bar.label}>
              <title>{`${bar.label}: ${bar.detail}`}</title>
              <rect x={x} y={height - h} width={barWidth} height={Math.max(h, 1)} className={bar.warn ? "bar warn-bar" : "bar"} />
              <text x={x + barWidth / 2} y={height - h - 4} textAnchor="middle" className="bar-value">
                {bar.value.toLocaleString()}
              </text>
              <text x={x + barWidth / 2} y={height + 16} textAnchor="middle" className="bar-label">
                {bar.label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}

export interface StackedDay {
  label: string;
  parts: { name: string; value: number; className: string }[];
}

export function StackedBars({ days, title, height = 120 }: { days: StackedDay[]; title: string; height?: number }) {
  const max = Math.max(1, ...days.map((d) => d.parts.reduce((sum, p) => sum + p.value, 0)));
  const width = Math.max(300, days.length * 28);
  const step = width / Math.max(days.length, 1);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height + 30}`} role="img" aria-label={title}>
        {days.map((day, i) => {
          let y = height;
          return (
            <g key={day.label}>
              <title>{`${day.label}: ${day.parts.map((p) => `${p.value.toLocaleString()} ${p.name}`).join(", ")}`}</title>
              {day.parts.map((part) => {
                const h = (part.value / max) * height;
                y -= h;
                return <rect key={part.name} x={i * step + 3} y={y} width={step - 6} height={h} className={part.className} />;
              })}
              {(days.length <= 10 || i % Math.ceil(days.length / 10) === 0) && (
                <text x={i * step + step / 2} y={height + 16} textAnchor="middle" className="bar-label">
                  {day.label.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
