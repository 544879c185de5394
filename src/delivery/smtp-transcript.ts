/**
 * Pairs each command nodemailer writes with the reply it gets, through its transaction log:
 * the public API hands back neither the greeting nor the RCPT replies once DATA fails.
 */
export class Transcript {
  greeting: string | undefined;
  private pending: string[] = [];
  private rcpt = new Map<string, string>();
  /** The DATA command got 354, so the body went out. */
  bodySent = false;
  /** The server accepted MAIL FROM in this transaction: from here on it has seen part of it. */
  mailAccepted = false;

  readonly logger = {
    trace: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    fatal: () => undefined,
    debug: (entry: unknown, message: unknown) => this.record(entry, message),
  };

  beginTransaction(): void {
    this.rcpt.clear();
    this.bodySent = false;
    this.mailAccepted = false;
  }

  rcptReply(address: string): string | undefined {
    return this.rcpt.get(address.toLowerCase());
  }

  private record(entry: unknown, message: unknown): void {
    if (typeof message !== 'string' || typeof entry !== 'object' || entry === null) return;
    const tnx = (entry as { tnx?: unknown }).tnx;
    if (tnx === 'client') {
      this.pending.push(message);
      return;
    }
    if (tnx !== 'server') return;
    const command = this.pending.shift();
    // Replies nobody asked for: the greeting, then end-of-data replies (the body is not a command).
    if (command === undefined) {
      this.greeting ??= message;
      return;
    }
    const rcpt = /^RCPT TO:<([^>]*)>/i.exec(command);
    if (rcpt) this.rcpt.set((rcpt[1] ?? '').toLowerCase(), message);
    else if (/^DATA$/i.test(command)) this.bodySent = message.startsWith('3');
    else if (/^MAIL FROM:/i.test(command)) this.mailAccepted = message.startsWith('2');
  }
}
