/** The web console's session options (api/console/), declared beside config.ts's OPTIONS and spread into it. */
import { int } from './parsers.js';

export interface ConsoleConfig {
  /** Seconds a console session may go unused before it ends. */
  consoleIdleSeconds: number;
  /** Seconds after sign-in a console session ends, however busy it is. */
  consoleSessionSeconds: number;
}

export function consoleOptions() {
  // OWASP's session guidance: short idle timeouts for privileged consoles, and an absolute cap.
  return {
    consoleIdleSeconds: { key: 'consoleIdleSeconds', env: 'MAILGATE_CONSOLE_IDLE_SECONDS', parse: int(60, 86_400, 1800) },
    consoleSessionSeconds: { key: 'consoleSessionSeconds', env: 'MAILGATE_CONSOLE_SESSION_SECONDS', parse: int(300, 30 * 86_400, 43_200) },
  } as const;
}
