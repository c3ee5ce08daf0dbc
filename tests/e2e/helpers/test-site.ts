/**
 * The test web site: an https server on 127.0.0.1 with a self-signed
 * certificate made for the test, and a plain http server for the refusal
 * test. The page carries helpers that speak the raw Web eID messages.
 */
import { webcrypto } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

async function selfSignedTls(): Promise<{ key: string; cert: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=127.0.0.1',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }, { type: 'dns', value: 'localhost' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`;
  return { key, cert: certificate.toString('pem') };
}

/** Page script: webEid(action, body) posts a raw Web eID request and resolves with the final reply (and when the ack came). */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eID Bridge test site</title></head>
<body><h1>Test site</h1>
<script>
window.webEidLog = [];
window.addEventListener('message', (event) => {
  if (event.source === window && event.data && typeof event.data.action === 'string') window.webEidLog.push(event.data);
});
window.webEid = (action, body) => new Promise((resolve) => {
  const start = performance.now();
  let ackMs;
  const onMessage = (event) => {
    if (event.source !== window) return;
    const data = event.data;
    if (!data || typeof data.action !== 'string') return;
    if (data.action === action + '-ack') { if (ackMs === undefined) ackMs = performance.now() - start; return; }
    if (data.action === action + '-success' || data.action === action + '-failure') {
      window.removeEventListener('message', onMessage);
      resolve({ ...data, ackMs });
    }
  };
  window.addEventListener('message', onMessage);
  window.postMessage({ action, libraryVersion: '2.0.0', ...body }, '*');
});
window.bridgeCall = async (method, args) => {
  if (!window.eidBridge) await new Promise((r) => window.addEventListener('eidbridge:ready', r, { once: true }));
  try {
    return { ok: true, result: await window.eidBridge[method](...args) };
  } catch (e) {
    return { ok: false, name: e.name, code: e.code, webEidCode: e.webEidCode, message: e.message, details: e.details };
  }
};
</script></body></html>`;

export interface TestSite {
  httpsOrigin: string;
  httpOrigin: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export async function startTestSite(): Promise<TestSite> {
  const tls = await selfSignedTls();
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    // /sandboxed: the same page in a sandbox (scripts run, but the page's origin is opaque).
    const sandbox = req.url?.startsWith('/sandboxed') ? { 'content-security-policy': 'sandbox allow-scripts' } : {};
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...sandbox });
    res.end(PAGE);
  };
  const https = createHttpsServer(tls, handler);
  const http = createHttpServer(handler);
  const [httpsPort, httpPort] = await Promise.all([listen(https), listen(http)]);
  return {
    httpsOrigin: `https://127.0.0.1:${httpsPort}`,
    httpOrigin: `http://127.0.0.1:${httpPort}`,
    close: async () => {
      https.closeAllConnections();
      http.closeAllConnections();
      await Promise.all([new Promise((r) => https.close(r)), new Promise((r) => http.close(r))]);
    },
  };
}
