/** Idle SMTP sessions kept per target for the next message to the same host. */
import { quit, type Session } from './smtp-session.js';
import type { Settings } from './smtp-settings.js';

/** A small per-target pool of idle sessions, so mail to one host reuses one connection. */
export class SessionPool {
  private idle = new Map<string, Session[]>();
  private closed = false;

  constructor(private readonly s: Settings) {}

  has(key: string): boolean {
    return (this.idle.get(key) ?? []).some((x) => !x.broken);
  }

  /** A pooled session for `key`, in its initial state, or undefined (docs/smtp-connections.md). */
  async take(key: string): Promise<Session | undefined> {
    for (;;) {
      const list = this.idle.get(key);
      const session = list?.pop();
      if (!session) return undefined;
      if (list && list.length === 0) this.idle.delete(key);
      if (session.idleTimer) clearTimeout(session.idleTimer);
      session.idleTimer = undefined;
      if (session.broken) continue;
      // A completed transaction leaves the session in its initial state; one the server refused
      // may have left a MAIL FROM standing, which RSET clears.
      if (!session.needsReset) return session;
      const alive = await Promise.race([
        new Promise<boolean>((done) => session.conn.reset((err) => done(!err))),
        session.ended.then(() => false),
      ]);
      if (alive && !session.broken) return session;
      void quit(session);
    }
  }

  give(session: Session): void {
    const list = this.idle.get(session.target.key) ?? [];
    if (this.closed || session.broken || session.messages >= this.s.maxMessagesPerConnection || list.length >= this.s.maxIdlePerTarget) {
      void quit(session);
      return;
    }
    list.push(session);
    this.idle.set(session.target.key, list);
    session.idleTimer = setTimeout(() => {
      const current = this.idle.get(session.target.key);
      const at = current?.indexOf(session) ?? -1;
      if (current && at >= 0) current.splice(at, 1);
      if (current?.length === 0) this.idle.delete(session.target.key);
      void quit(session);
    }, this.s.idleMs);
    // An idle connection must not keep the process alive at shutdown.
    session.idleTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map(quit));
  }
}
