/** Reading one configuration value: errors that name the variable, and the number and flag parsers. */

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export function int(min: number, max: number, fallback: number) {
  return (raw: string | undefined, env: string): number => {
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw)) throw new ConfigError(env, `expected a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new ConfigError(env, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

export function bool(fallback: boolean) {
  return (raw: string | undefined, env: string): boolean => {
    if (raw === undefined || raw === '') return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(env, `expected true or false, got "${raw}"`);
  };
}

/** A comma-separated list of seconds (retry schedules). */
export function secondsList(fallback: string) {
  return (raw: string | undefined, env: string): number[] => {
    const text = raw || fallback;
    const steps = text.split(',').map((s) => Number(s.trim()));
    if (steps.some((s) => !Number.isFinite(s) || s < 0)) throw new ConfigError(env, `expected comma-separated seconds, got "${text}"`);
    return steps;
  };
}
