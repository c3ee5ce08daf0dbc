import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:https';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendConfig } from '../config.js';
import { startBackend } from '../server.js';
import { createTestPki } from '../../devtools/test-pki/test-pki.js';
import { testBackendConfig } from './helpers.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'eid-bridge-https-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function config(): BackendConfig {
  return testBackendConfig(dataDir, { http: false });
}

/** A request that trusts only the backend's own certificate, as a browser with it installed would. */
function httpsPost(url: string, ca: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('https with a local certificate', () => {
  it('serves https on 127.0.0.1 with a certificate made at first start and kept for the next', async () => {
    const pki = await createTestPki({ keyType: 'ec', withSigning: false });
    const server = await startBackend(config(), { trustedCertificates: [pki.citizenCa.der] });
    let firstCert: string;
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      firstCert = await readFile(server.tlsCertificateFile!, 'utf8');
      const r = await httpsPost(`${server.url}/api/eid/challenge`, firstCert);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).challengeNonce).toHaveLength(44);
      const cookie = String(r.headers['set-cookie']);
      expect(cookie).toMatch(/eidb_session=.+; .*Secure/);
      expect(cookie).toMatch(/HttpOnly/);
      // No HSTS for a loopback address: it would pin https on the developer's other local sites.
      expect(r.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await server.close();
    }
    const again = await startBackend(config(), { trustedCertificates: [pki.citizenCa.der] });
    try {
      expect(await readFile(again.tlsCertificateFile!, 'utf8')).toBe(firstCert);
      expect((await httpsPost(`${again.url}/api/eid/challenge`, firstCert)).status).toBe(200);
    } finally {
      await again.close();
    }
  });
});
