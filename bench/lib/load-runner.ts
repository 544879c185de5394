/** Parent side of a load generator process: spawn it, let it warm up, start it on cue, read its result. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');

export interface LoadProcess<R> {
  /** Sends `go` and resolves with the generator's result line. */
  run(): Promise<R>;
}

/** Spawns `bench/lib/<script>` with its spec and resolves once it printed `ready`. */
export async function spawnLoad<R>(script: string, spec: unknown): Promise<LoadProcess<R>> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/lib', script), JSON.stringify(spec)], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load generator ${script} exited with ${code}`));
      child.once('exit', onExit);
      lines.once('line', (line: string) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const ready = await next();
  if (ready !== 'ready') throw new Error(`load generator said ${ready}`);
  return {
    async run() {
      const answer = next();
      child.stdin.write('go\n');
      const result = JSON.parse(await answer) as R;
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
      return result;
    },
  };
}
