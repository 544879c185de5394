/** The storage backends every store test runs against, each on a real database with isolated state. */
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { withTempDir } from './temp-dir.js';

export interface Backend {
  name: string;
  open(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

export const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const temp = await withTempDir();
      const store = await openSqliteStore(temp.dir);
      return {
        store,
        async dispose() {
          await store.close();
          await temp.remove();
        },
      };
    },
  },
];
