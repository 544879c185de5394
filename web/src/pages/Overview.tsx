import { useCallback } from 'react';
import { api, when } from '../api';
import { Chart, SERIES, type Point } from '../Chart';
import { usePoll } from '../usePoll';

interface Overview {
  at: number;
  lastHour: { bucketMs: number; points: Point[] };
  lastWeek: { bucketMs: number; points: Point[] };
  queue: { waiting: number; oldestReceivedAt: number | null };
  held: number;
  dialects: Array<{ source: string; count: number }>;
}

const total = (points: Point[], key: (typeof SERIES)[number]) => points.reduce((sum, p) => sum + p[key], 0);

export function Overview() {
  const load = useCallback(() => api<Overview>('GET', '/overview'), []);
  // Polling every 5 s: the "live" bar, without a long-lived connection per console.
  const { data, error } = usePoll(load, 5000);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!data) return <p>Loading…</p>;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div className="cards">
        <div className="card">
          <span>Queue depth</span>
          <strong data-testid="queue-depth">{data.queue.waiting}</strong>
        </div>
        <div className="card">
          <span>Oldest queued</span>
          <strong>{when(data.queue.oldestReceivedAt)}</strong>
        </div>
        <div className="card">
          <span>Held now</span>
          <strong>{data.held}</strong>
        </div>
        {SERIES.map((s) => (
          <div className="card" key={s}>
            <span>{s} (last hour)</span>
            <strong>{total(data.lastHour.points, s)}</strong>
          </div>
        ))}
      </div>
      <h2>Per minute, last hour</h2>
      <Chart points={data.lastHour.points} label="Messages per minute over the last hour" />
      <h2>Per hour, last 7 days</h2>
      <Chart points={data.lastWeek.points} label="Messages per hour over the last 7 days" />
      <h2>By way in, last 24 hours</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Dialect</th>
            <th scope="col">Messages</th>
          </tr>
        </thead>
        <tbody>
          {data.dialects.map((d) => (
            <tr key={d.source}>
              <td>{d.source}</td>
              <td>{d.count}</td>
            </tr>
          ))}
          {data.dialects.length === 0 && (
            <tr>
              <td colSpan={2}>No messages in the last 24 hours.</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
