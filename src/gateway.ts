/** The running gateway's dependencies, built once from config and passed to every way in. */
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import type { AcceptedMessage, Submission } from './core/message.js';
import type { Clock } from './core/ports.js';
import type { SecretBox } from './auth/secret-box.js';
import type { Store } from './store/store.js';

export interface Gateway {
  config: Config;
  store: Store;
  secrets: SecretBox;
  clock: Clock;
  log: Logger;
  /** The one way into the mail system: validate, compose, sign, persist durably, queue. */
  ingest(submission: Submission): Promise<AcceptedMessage>;
}
