/** Configuration: defaults, flags over env, and bad values failing fast with the variable's name. */
import { describe, expect, it } from 'vitest';
import { ConfigError, flagFor, loadConfig, splitConfigFlags } from '../src/config/config.js';

describe('config', () => {
  it('starts on capture with SQLite in ./data when nothing is set', () => {
    const config = loadConfig({});
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.delivery).toBe('capture');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.relay).toBeUndefined();
    expect(config.dnsCacheSeconds).toBe(60);
  });

  it('switches to relay when a relay URL is given, and parses credentials and TLS mode', () => {
    const config = loadConfig({ MAILGATE_RELAY_URL: 'smtp://u%40x:p%3Ass@relay.example.net:587?starttls=required' });
    expect(config.delivery).toBe('relay');
    expect(config.relay).toEqual({ host: 'relay.example.net', port: 587, secure: false, requireTls: true, insecureTls: false, user: 'u@x', pass: 'p:ss' });
    expect(loadConfig({ MAILGATE_RELAY_URL: 'smtp://relay.test:2525?tls=insecure' }).relay?.insecureTls).toBe(true);
    expect(loadConfig({ MAILGATE_RELAY_URL: 'smtps://relay.example.net' }).relay).toMatchObject({ port: 465, secure: true });
  });

  it('lets flags win over the environment', () => {
    const { flags, rest } = splitConfigFlags(['serve', '--http-port', '9000', '--local-domains=a.test,b.test']);
    expect(rest).toEqual(['serve']);
    const config = loadConfig({ MAILGATE_HTTP_PORT: '8000' }, flags);
    expect(config.httpPort).toBe(9000);
    expect(config.localDomains).toEqual(['a.test', 'b.test']);
    expect(flagFor('MAILGATE_DATA_DIR')).toBe('--data-dir');
  });

  it.each([
    ['MAILGATE_HTTP_PORT', 'eighty'],
    ['MAILGATE_HTTP_PORT', '70000'],
    ['MAILGATE_SMTP_PORT', '-1'],
    ['MAILGATE_HOSTNAME', 'bad host'],
    ['MAILGATE_LOCAL_DOMAINS', 'ok.test,not a domain'],
    ['MAILGATE_RELAY_URL', 'http://relay.example.net'],
    ['MAILGATE_RELAY_URL', 'smtp://relay.example.net?starttls=sometimes'],
    ['MAILGATE_RELAY_URL', 'smtp://relay.example.net?tls=maybe'],
    ['MAILGATE_DELIVERY', 'carrier-pigeon'],
    ['MAILGATE_DELIVERY', 'relay'],
    ['MAILGATE_REPLAY_PROTECTION', 'maybe'],
    ['MAILGATE_RETRY_SCHEDULE', '60,soon'],
    ['MAILGATE_LOG_LEVEL', 'loud'],
    ['MAILGATE_DATABASE_URL', 'mysql://localhost/mailgate'],
    ['MAILGATE_DATABASE_URL', 'localhost:5432'],
    ['MAILGATE_DATABASE_POOL_SIZE', '0'],
    ['MAILGATE_DNS_CACHE_SECONDS', '3601'],
    ['MAILGATE_DNS_CACHE_SECONDS', 'a minute'],
  ])('refuses %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it('selects PostgreSQL for postgres:// and postgresql:// database URLs', () => {
    expect(loadConfig({ MAILGATE_DATABASE_URL: 'postgres://u:p@db.example:5432/mail' }).databaseUrl).toBe('postgres://u:p@db.example:5432/mail');
    expect(loadConfig({}, { MAILGATE_DATABASE_URL: 'postgresql://db/mail', MAILGATE_DATABASE_POOL_SIZE: '4' })).toMatchObject({
      databaseUrl: 'postgresql://db/mail',
      databasePoolSize: 4,
      databaseConnectTimeout: 5,
      databaseRetrySeconds: 30,
    });
  });

  it('sends no quarantine digests by default; digest domains must be local, links default to the HTTPS listener', () => {
    expect(loadConfig({})).toMatchObject({ digestDomains: [], digestIntervalSeconds: 86_400, digestLinkLifetimeSeconds: 604_800, digestBaseUrl: 'https://localhost:8443' });
    const config = loadConfig({ MAILGATE_LOCAL_DOMAINS: 'a.test,b.test', MAILGATE_DIGEST_DOMAINS: 'B.test', MAILGATE_HOSTNAME: 'mx.a.test', MAILGATE_HTTPS_PORT: '443' });
    expect(config).toMatchObject({ digestDomains: ['b.test'], digestBaseUrl: 'https://mx.a.test' });
    expect(loadConfig({ MAILGATE_DIGEST_BASE_URL: 'https://quarantine.example.com/mail/' }).digestBaseUrl).toBe('https://quarantine.example.com/mail');
    expect(() => loadConfig({ MAILGATE_DIGEST_DOMAINS: 'elsewhere.test' })).toThrow(/MAILGATE_DIGEST_DOMAINS: "elsewhere.test" is not one of MAILGATE_LOCAL_DOMAINS/);
    expect(() => loadConfig({ MAILGATE_DIGEST_BASE_URL: 'ftp://x' })).toThrow(/MAILGATE_DIGEST_BASE_URL/);
    expect(() => loadConfig({ MAILGATE_DIGEST_INTERVAL_SECONDS: '10' })).toThrow(/MAILGATE_DIGEST_INTERVAL_SECONDS/);
  });

  it('refuses a config flag without a value', () => {
    expect(() => splitConfigFlags(['--http-port'])).toThrow(/MAILGATE_HTTP_PORT/);
  });
});
