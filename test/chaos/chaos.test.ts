/**
 * The chaos suite (issue 17 part 5): for each scenario, every id answered 2xx/250 was delivered
 * or bounced with a notice (0 lost), duplicates are counted and each has a cause, and the queue
 * drained within the bound. The figures are printed as a Markdown table and written to a file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { markdownTable, publish, type Figures } from './report.js';
import { runScenario } from './run-scenario.js';
import { LONG, SCENARIOS } from './scenarios.js';

const figures: Figures[] = [];

afterAll(() => {
  if (figures.length > 0) publish(`chaos (${LONG ? 'long' : 'short'} version)`, markdownTable(figures));
});

describe(`chaos, ${LONG ? 'long' : 'short'} version`, () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: nothing accepted is lost, duplicates bounded, queue drained`, { timeout: scenario.drainBoundMs + 300_000 }, async () => {
      const outcome = await runScenario(scenario);
      figures.push(outcome);
      expect(outcome.refused).toEqual([]);
      expect(outcome.accepted).toBe(scenario.messages);
      expect(outcome.lost).toEqual([]);
      expect(outcome.delivered + outcome.bounced).toBe(outcome.accepted);
      expect(outcome.duplicates).toBeLessThanOrEqual(outcome.duplicateBound);
      expect(outcome.drainMs).toBeLessThanOrEqual(scenario.drainBoundMs);
    });
  }
});
