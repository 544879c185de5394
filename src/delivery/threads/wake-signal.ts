/**
 * Waking delivery threads without a message per commit: the serving thread bumps a counter in
 * shared memory (an atomic add and a notify), and each thread's listener resolves when it moves.
 */

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
// ES2024 (Node 16+); the project's TypeScript lib is ES2022.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export interface WakeSignal {
  /** Handed to threads in their workerData. */
  buffer: SharedArrayBuffer;
  wake(): void;
}

export function createWakeSignal(): WakeSignal {
  const buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const counter = new Int32Array(buffer);
  return {
    buffer,
    wake() {
      Atomics.add(counter, 0, 1);
      Atomics.notify(counter, 0);
    },
  };
}

/** Calls `listener` after each change of the counter (changes in a burst may be seen as one); returns a stop function. */
export function listenForWakes(buffer: SharedArrayBuffer, listener: () => void): () => void {
  const counter = new Int32Array(buffer);
  let listening = true;
  void (async () => {
    let seen = Atomics.load(counter, 0);
    while (listening) {
      const wait = waitAsync(counter, 0, seen);
      if (wait.async) await wait.value;
      seen = Atomics.load(counter, 0);
      if (listening) listener();
    }
  })();
  return () => {
    listening = false;
    // Ends the pending wait, which would otherwise keep the thread alive (other listeners see one spurious wake).
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
}
