/** Blob keys come from our own id generator; every blob store refuses anything else. */
const SAFE_KEY = /^[A-Za-z0-9_-]{8,128}$/;

export function assertBlobKey(key: string): void {
  if (!SAFE_KEY.test(key)) throw new Error(`invalid blob key "${key}"`);
}
