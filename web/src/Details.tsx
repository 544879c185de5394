/** Any JSON value as nested definition lists (verdict records have no fixed shape to design for). */
export function Details({ value }: { value: unknown }) {
  if (value === null || typeof value !== 'object') return <span>{value === null || value === undefined ? '—' : String(value)}</span>;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) return <span>—</span>;
  return (
    <dl className="facts">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            <Details value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
