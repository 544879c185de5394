/** A line chart in plain SVG: one line per series, scaled to the busiest bucket. */
export const SERIES = ['accepted', 'delivered', 'deferred', 'bounced', 'held'] as const;
export type Point = { at: number } & Record<(typeof SERIES)[number], number>;

const COLORS: Record<(typeof SERIES)[number], string> = {
  accepted: '#2563eb',
  delivered: '#16a34a',
  deferred: '#d97706',
  bounced: '#dc2626',
  held: '#7c3aed',
};

const W = 600;
const H = 160;

export function Chart({ points, label }: { points: Point[]; label: string }) {
  const max = Math.max(1, ...points.flatMap((p) => SERIES.map((s) => p[s])));
  const x = (i: number) => (points.length <= 1 ? 0 : (i / (points.length - 1)) * W);
  const y = (v: number) => H - (v / max) * (H - 10);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${label}; highest bucket ${max}`} preserveAspectRatio="none">
        {SERIES.map((s) => (
          <polyline key={s} fill="none" stroke={COLORS[s]} strokeWidth="2" vectorEffect="non-scaling-stroke" points={points.map((p, i) => `${x(i)},${y(p[s])}`).join(' ')} />
        ))}
      </svg>
      <figcaption>
        {SERIES.map((s) => (
          <span key={s} className="legend">
            <i style={{ background: COLORS[s] }} aria-hidden="true" /> {s}
          </span>
        ))}
        <span> (max {max})</span>
      </figcaption>
    </figure>
  );
}
