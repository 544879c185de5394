import { useCallback, useEffect, useState } from 'react';

/** Loads `load()` now and every `everyMs` (0 = once); `reload` loads again at once. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState('');
  const run = useCallback(async () => {
    try {
      setData(await load());
      setError('');
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }, [load]);
  useEffect(() => {
    void run();
    if (everyMs === 0) return undefined;
    const timer = window.setInterval(() => void run(), everyMs);
    return () => window.clearInterval(timer);
  }, [run, everyMs]);
  return { data, error, reload: run };
}
