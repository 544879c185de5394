/** The STARTTLS key and certificate: MAILGATE_SMTP_TLS_CERT/KEY, or the certificate the HTTPS listener shares. */
import type { Config } from '../config/config.js';
import { certificateFiles, readTlsMaterial, type TlsMaterial } from '../tls/certificate-files.js';

export interface SmtpTlsMaterial extends TlsMaterial {
  /** True when generated here (self-signed). */
  generated: boolean;
}

export async function loadTlsMaterial(
  config: Pick<Config, 'smtpTlsCert' | 'smtpTlsKey' | 'dataDir' | 'hostname'>,
): Promise<SmtpTlsMaterial> {
  const files = await certificateFiles({ cert: config.smtpTlsCert, key: config.smtpTlsKey }, config.dataDir, config.hostname);
  return { ...(await readTlsMaterial(files)), generated: files.generated };
}
