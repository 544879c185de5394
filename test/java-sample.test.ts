/**
 * The seed 000 Java sample, compiled and run as printed: it builds `"https://" + baseUrl` and uses
 * HttpsURLConnection, so it needs the HTTPS port and a trust store holding the gateway's certificate
 * (`keytool -importcert`). Only its placeholders are filled in. The message must reach a real SMTP sink.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { withTempDir } from './helpers/temp-dir.js';
import { missingTools, titled } from './helpers/tools.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const CODEC = '/usr/share/java/commons-codec.jar'; // Debian's libcommons-codec-java: the sample's Base64
const missing = missingTools(['javac', 'java', 'keytool', CODEC]);

let sink: SmtpSink;
let gw: TestGateway;
let keys: MimecastKeys;
let temp: { dir: string; remove(): Promise<void> };

beforeAll(async () => {
  if (missing.length > 0) return;
  sink = await startSmtpSink();
  gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}` });
  keys = await gw.user('sender@example.test');
  temp = await withTempDir();
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
  await temp?.remove();
});

async function upload(content: Buffer): Promise<string> {
  const arg = `{'data':[{'sha256':'${createHash('sha256').update(content).digest('hex')}','fileSize':${content.length}}]}`;
  const res = await mcPost(gw.httpsUrl, keys, '/api/file/file-upload', content, { 'Content-Type': 'application/octet-stream', 'x-mc-arg': arg }, gw.tlsFetch);
  expect(res.status).toBe(200);
  return res.body.data[0]?.id as string;
}

/** Replaces each occurrence of `token`, in order, with the next value, as a user fills in a template. */
function fillInOrder(text: string, token: string, values: string[]): string {
  const parts = text.split(token);
  expect(parts.length - 1).toBe(values.length);
  return parts.reduce((out, part, i) => `${out}${token.replace('String', values[i - 1] ?? '')}${part}`);
}

describe.skipIf(missing.length > 0)(titled('the seed 000 Java sample over HTTPS', missing), () => {
  it('compiles, sends through HttpsURLConnection with the certificate in a keytool trust store, and is delivered', async () => {
    const html = Buffer.from('<h1>Report</h1><p>From Java.</p>');
    const text = Buffer.from('Report, from Java.');
    // The body template says "size": 1000; the attachment is made that size rather than editing the number.
    const attachment = Buffer.alloc(1000, 'java sample attachment\n');
    const [htmlId, textId, attachmentId] = [await upload(html), await upload(text), await upload(attachment)];

    const template = readFileSync(path.join(root, 'test/fixtures/mimecast/send-email-sample.java'), 'utf8');
    let source = template
      // The sample prepends "https://" itself, so its baseUrl is a host and port.
      .replace('"https://xx-api.mimecast.com"', `"127.0.0.1:${gw.server.httpsPort}"`)
      .replace('"YOUR ACCESS KEY"', `"${keys.accessKey}"`)
      .replace('"YOUR SECRET KEY"', `"${keys.secretKey}"`)
      .replace('"YOUR APPLICATION ID"', `"${keys.appId}"`)
      .replace('"YOUR APPLICATION KEY"', `"${keys.appKey}"`);
    source = fillInOrder(source, '\\"String\\"', [
      'Sender Person', 'sender@example.test',
      'Remote Reader', 'reader@remote.test',
      'Copy Reader', 'copy@remote.test',
      'Hidden', 'hidden@remote.test',
      'X-Sample-Run', 'seed-000-java',
      'Report from Java',
      htmlId, 'inline html that the uploaded file replaces',
      textId, 'inline text that the uploaded file replaces',
      'report.bin', attachmentId,
    ]);
    expect(source).not.toMatch(/YOUR |xx-api|\\"String\\"/);
    writeFileSync(path.join(temp.dir, 'SendEmailSample.java'), `public class SendEmailSample {\n${source}\n}\n`);

    const trustStore = path.join(temp.dir, 'mailgate.p12');
    await run('keytool', ['-importcert', '-noprompt', '-alias', 'mailgate', '-file', gw.caFile, '-keystore', trustStore, '-storetype', 'PKCS12', '-storepass', 'changeit']);
    const classpath = [temp.dir, CODEC].join(path.delimiter);
    await run('javac', ['-cp', classpath, '-d', temp.dir, path.join(temp.dir, 'SendEmailSample.java')]);
    const before = sink.messages.length;
    const { stdout } = await run(
      'java',
      [`-Djavax.net.ssl.trustStore=${trustStore}`, '-Djavax.net.ssl.trustStorePassword=changeit', '-Djavax.net.ssl.trustStoreType=PKCS12', '-cp', classpath, 'SendEmailSample'],
      { timeout: 60_000 },
    );
    const response = JSON.parse(stdout) as { meta: { status: number }; data: Array<{ messageId: string }>; fail: unknown[] };
    expect(response.meta.status).toBe(200);
    expect(response.fail).toEqual([]);

    const [delivered] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(delivered?.mailFrom).toBe('sender@example.test');
    expect(delivered?.rcptTo.sort()).toEqual(['copy@remote.test', 'hidden@remote.test', 'reader@remote.test']);
    const parsed = await simpleParser(delivered!.raw);
    expect(parsed.messageId).toBe(response.data[0]?.messageId);
    expect(parsed.subject).toBe('Report from Java');
    expect(parsed.headers.get('x-sample-run')).toBe('seed-000-java');
    expect(parsed.html).toContain('<h1>Report</h1><p>From Java.</p>');
    expect(parsed.attachments[0]?.filename).toBe('report.bin');
    expect(parsed.attachments[0]?.content.equals(attachment)).toBe(true);

    // Without the trust store the same program is refused: the port really is verified TLS.
    const untrusted = run('java', ['-cp', classpath, 'SendEmailSample'], { timeout: 60_000 });
    await expect(untrusted).rejects.toMatchObject({ stderr: expect.stringMatching(/SSLHandshakeException|PKIX path building failed/) });
  });
});
