/** A just-created secret, shown this once: the API never answers it again (docs/identities.md). */
export function SecretOnce({ title, values, onDone }: { title: string; values: Record<string, string>; onDone: () => void }) {
  return (
    <section aria-label={title} className="secret">
      <h3>{title}</h3>
      <p>Copy it now: it is shown only this once.</p>
      <dl>
        {Object.entries(values).map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>
              <code data-testid={`secret-${name}`}>{value}</code>
            </dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </section>
  );
}
