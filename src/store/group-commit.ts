/**
 * Group commit: submissions that arrive while the event loop is busy are written in one
 * transaction, so N concurrent requests share one fsync instead of paying N.
 */
export interface GroupCommitter<T> {
  submit(item: T): Promise<void>;
}

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createGroupCommitter<T>(writeBatch: (items: T[]) => Promise<void>, maxBatch = 512): GroupCommitter<T> {
  let queue: Pending<T>[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        await writeBatch(batch.map((p) => p.item));
        for (const p of batch) p.resolve();
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          continue;
        }
        // One bad item must not fail its neighbours: write them one by one to isolate it.
        for (const p of batch) {
          try {
            await writeBatch([p.item]);
            p.resolve();
          } catch (single) {
            p.reject(single);
          }
        }
      }
    }
    running = false;
  }

  return {
    submit(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // setImmediate lets every request already parsed in this turn join the batch.
        if (!running) {
          running = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
