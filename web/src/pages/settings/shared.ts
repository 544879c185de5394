/** What the Settings sections share: the change runner of the page and form helpers. */
import type { FormEvent } from 'react';

/** Runs a change, shows `what` (or the failure) in the page's status line, then reloads the page's data. */
export type Change = <T>(promise: Promise<T>, what: string | ((result: T) => string)) => Promise<T | undefined>;

/** The form's fields as trimmed strings; the form is reset. */
export function fieldsOf(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  const form = event.currentTarget;
  const fields: Record<string, string> = {};
  // Checkboxes sharing a name (roles, permissions) come back comma-joined.
  for (const [name, value] of new FormData(form)) {
    const text = String(value).trim();
    fields[name] = fields[name] ? `${fields[name]},${text}` : text;
  }
  form.reset();
  return fields;
}

/** A comma-separated field as a list, empty entries dropped. */
export const listOf = (value: string | undefined): string[] => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
