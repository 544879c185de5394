import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCaptureTransport, type CapturedEnvelope } from '../src/delivery/capture-transport.js';
import { withTempDir } from './helpers/temp-dir.js';

const RAW = Buffer.from('From: a@sender.test\r\nTo: b@example.test\r\nSubject: captured\r\n\r\nbody ü\r\n');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

async function tempDir(): Promise<string> {
  const temp = await withTempDir();
  cleanups.push(temp.remove);
  return temp.dir;
}

describe('capture transport', () => {
  it('writes the exact bytes as .eml with the envelope in a .json sidecar and answers 250 captured', async () => {
    const dir = path.join(await tempDir(), 'capture');
    const transport = createCaptureTransport(dir, { clock: { now: () => Date.UTC(2030, 0, 2, 3, 4, 5, 6) } });

    const record = await transport.send({ mailFrom: 'a@sender.test', rcptTo: ['b@example.test', 'c@example.test'], domain: 'example.test' }, RAW);

    expect(record).toMatchObject({
      transport: 'capture',
      bytes: RAW.length,
      replies: {
        'b@example.test': { outcome: 'delivered', code: 250, reply: 'captured' },
        'c@example.test': { outcome: 'delivered', code: 250, reply: 'captured' },
      },
    });
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(2);
    const [eml, json] = [files.find((f) => f.endsWith('.eml')), files.find((f) => f.endsWith('.json'))];
    expect(eml).toMatch(/^2030-01-02T03-04-05-006Z-[0-9a-f]{12}\.eml$/);
    expect(json).toBe(eml?.replace(/\.eml$/, '.json'));
    expect((await readFile(path.join(dir, eml as string))).equals(RAW)).toBe(true);
    const envelope = JSON.parse(await readFile(path.join(dir, json as string), 'utf8')) as CapturedEnvelope;
    expect(envelope).toEqual({
      mailFrom: 'a@sender.test',
      rcptTo: ['b@example.test', 'c@example.test'],
      domain: 'example.test',
      capturedAt: '2030-01-02T03:04:05.006Z',
    });
  });

  it('gives every message its own file', async () => {
    const dir = await tempDir();
    const transport = createCaptureTransport(dir, { clock: { now: () => 0 } });
    const envelope = { mailFrom: '', rcptTo: ['b@example.test'], domain: 'example.test' };

    await Promise.all([transport.send(envelope, RAW), transport.send(envelope, RAW), transport.send(envelope, RAW)]);

    expect((await readdir(dir)).filter((f) => f.endsWith('.eml'))).toHaveLength(3);
  });

  it('keeps the mail queued (451 temporary) when the directory cannot be written', async () => {
    const blocker = path.join(await tempDir(), 'not-a-directory');
    await writeFile(blocker, 'a file where the capture directory should be');
    const transport = createCaptureTransport(blocker);

    const record = await transport.send({ mailFrom: 'a@sender.test', rcptTo: ['b@example.test'], domain: 'example.test' }, RAW);

    expect(record.replies['b@example.test']).toMatchObject({ outcome: 'temporary', code: 451 });
    expect(record.replies['b@example.test']?.reply).toMatch(/^4\.3\.0 capture failed/);
  });
});
