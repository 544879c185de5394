/** One Postfix relay run: smtp-source → Postfix peer (queue on disk) → the shared sink. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { startPostfixPeer, type PeerConfig, type Sink } from './postfix.js';
import { measure, rowOf, sizeLabel, type Row } from './report.js';

const run = promisify(execFile);

/** The row's name for a configuration, saying where its log lines go. */
export function peerLabel(config: PeerConfig): string {
  if (config === 'bench') return 'postfix (maillog_file)';
  return existsSync('/dev/log') ? 'postfix (debian, syslog)' : 'postfix (debian, syslog: no daemon)';
}

/** Relays `count` messages of `size` bytes over `concurrency` reused smtp-source sessions. */
export async function postfixRelayRow(sink: Sink, count: number, size: number, concurrency: number, config: PeerConfig): Promise<Row> {
  const peer = await startPostfixPeer({ relayPort: sink.port, config });
  try {
    const target = sink.count() + count;
    const m = await measure(
      peer.masterPid,
      async () => {
        const startedAt = Date.now();
        // -d: keep each session for the next message, as the HTTP client keeps its connections.
        await run('/usr/sbin/smtp-source', ['-d', '-s', String(concurrency), '-m', String(count), '-l', String(size), '-f', 'bench@peer.test', '-t', 'sink@remote.test', `127.0.0.1:${peer.port}`], {
          maxBuffer: 1 << 24,
        });
        return { startedAt, endedAt: Date.now() };
      },
      () => sink.waitFor(target),
    );
    return rowOf({ bench: 'e2e', system: peerLabel(config), size: sizeLabel(size), conc: concurrency }, m, count, 0);
  } finally {
    await peer.stop();
  }
}
