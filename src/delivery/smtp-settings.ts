/** Options and defaults shared by the relay and MX transports. */
import { systemClock, type Clock } from '../core/ports.js';

/** Options shared by the relay and MX transports; times in milliseconds. */
export interface SmtpTransportOptions {
  /** Our EHLO name. */
  hostname: string;
  clock?: Clock;
  /** From connect() to a usable session, across DNS, TCP, greeting and STARTTLS. */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  /** Silence allowed mid-transaction; RFC 5321 §4.5.3.2 asks for 10 minutes after the final dot. */
  socketTimeoutMs?: number;
  /** How long an idle connection waits for the next message to the same target. */
  idleMs?: number;
  maxIdlePerTarget?: number;
  /** Some receivers throttle long sessions; a fresh connection now and then avoids that. */
  maxMessagesPerConnection?: number;
}

export const SMTP_DEFAULTS = {
  connectionTimeoutMs: 30_000,
  greetingTimeoutMs: 60_000,
  socketTimeoutMs: 10 * 60_000,
  idleMs: 5_000,
  maxIdlePerTarget: 2,
  maxMessagesPerConnection: 100,
  maxAddressesPerAttempt: 5,
};

/** The options with every default filled in. */
export type Settings = Required<Omit<SmtpTransportOptions, 'clock'>> & { clock: Clock };

export function settingsOf(opts: SmtpTransportOptions): Settings {
  return {
    hostname: opts.hostname,
    clock: opts.clock ?? systemClock,
    connectionTimeoutMs: opts.connectionTimeoutMs ?? SMTP_DEFAULTS.connectionTimeoutMs,
    greetingTimeoutMs: opts.greetingTimeoutMs ?? SMTP_DEFAULTS.greetingTimeoutMs,
    socketTimeoutMs: opts.socketTimeoutMs ?? SMTP_DEFAULTS.socketTimeoutMs,
    idleMs: opts.idleMs ?? SMTP_DEFAULTS.idleMs,
    maxIdlePerTarget: opts.maxIdlePerTarget ?? SMTP_DEFAULTS.maxIdlePerTarget,
    maxMessagesPerConnection: opts.maxMessagesPerConnection ?? SMTP_DEFAULTS.maxMessagesPerConnection,
  };
}
