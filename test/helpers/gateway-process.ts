/** A gateway run as a real child process (`node --import tsx src/cli/main.ts serve`), as operators run it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  /** Every stdout line (pino's JSON log) so far, from the first. */
  output: string[];
  /** `https://127.0.0.1:<port>`, and the certificate file it logged for clients to trust. */
  httpsUrl: string;
  certFile: string;
  /** SIGKILL: no graceful close, leases stay with the dead process until they expire. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void>;
}

async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** Starts `serve` with `env` on top of the caller's environment; resolves once it listens. */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: root,
    env: { ...process.env, MAILGATE_HTTP_PORT: '0', MAILGATE_HTTPS_PORT: '0', MAILGATE_SMTP_PORT: '0', MAILGATE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const output: string[] = [];
  const started = await new Promise<{ http: string; https: string; certificate: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output.push(line);
      if (!line.includes('"mailgate started"')) return;
      resolve(JSON.parse(line) as { http: string; https: string; certificate: string });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited early with ${code}`)));
  });
  return {
    child,
    url: started.http,
    output,
    httpsUrl: started.https,
    certFile: started.certificate,
    kill: () => signalAndWait(child, 'SIGKILL'),
    stop: () => signalAndWait(child, 'SIGTERM'),
  };
}
