/**
 * External tools some tests start (rspamd, swaks, a JDK, dnsmasq): which are missing, so that a
 * suite can be skipped saying "X is not installed" instead of failing on a spawn's ENOENT.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Whether a tool is installed: an absolute path exists, or a bare name is on PATH. */
export function installed(tool: string): boolean {
  if (path.isAbsolute(tool)) return existsSync(tool);
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, tool)));
}

/** The tools of the list that are not installed. */
export function missingTools(tools: readonly string[]): string[] {
  return tools.filter((tool) => !installed(tool));
}

/** A suite title with the reason it is skipped, e.g. `rspamd (skipped: rspamd is not installed)`. */
export function titled(title: string, missing: readonly string[]): string {
  return missing.length === 0 ? title : `${title} (skipped: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed)`;
}

/** Throws a clear error before spawning a tool that is not there. */
export function assertInstalled(tool: string, debianPackage: string): void {
  if (!installed(tool)) throw new Error(`${tool} is not installed (Debian package ${debianPackage}); see README "Two commands"`);
}
