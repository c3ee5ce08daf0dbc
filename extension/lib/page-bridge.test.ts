import { describe, expect, it } from 'vitest';
import type { PageReply, PageRequestMessage } from './messages.js';
import { PageBridge } from './page-bridge.js';

function setup(pageApi = false, opaqueOrigin = false) {
  const posted: Array<Record<string, unknown>> = [];
  const requests: PageRequestMessage[] = [];
  const replies: Array<(reply: PageReply) => void> = [];
  const bridge = new PageBridge({
    postToPage: (m) => posted.push(m as Record<string, unknown>),
    sendToBackground: (m) => {
      requests.push(m);
      return new Promise((resolve) => replies.push(resolve));
    },
    pageApiAllowed: () => pageApi,
    opaqueOrigin,
  });
  return { bridge, posted, requests, replies };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('PageBridge (Web eID protocol)', () => {
  it('acks at once, forwards only the arguments, and answers success with the result fields', async () => {
    const s = setup();
    s.bridge.onWindowMessage({ action: 'web-eid:authenticate', libraryVersion: '2.0.0', challengeNonce: 'n'.repeat(44), options: { lang: 'nl' }, origin: 'https://evil.example' });
    expect(s.posted[0]).toEqual({ action: 'web-eid:authenticate-ack' });
    expect(s.requests[0]).toEqual({
      type: 'eid-bridge:page-request',
      action: 'authenticate',
      // A page-supplied "origin" travels as an ordinary argument; the background ignores it and uses the sender's.
      args: { challengeNonce: 'n'.repeat(44), options: { lang: 'nl' }, origin: 'https://evil.example' },
    });
    s.replies[0]?.({ ok: true, result: { format: 'web-eid:1.0', signature: 'c2ln' } });
    await flush();
    expect(s.posted[1]).toEqual({ action: 'web-eid:authenticate-success', format: 'web-eid:1.0', signature: 'c2ln' });
  });

  it('answers a failure with the Web eID error code', async () => {
    const s = setup();
    s.bridge.onWindowMessage({ action: 'web-eid:sign' });
    s.replies[0]?.({ ok: false, error: { code: 'ERR_WEBEID_USER_CANCELLED', bridgeCode: 'USER_CANCELLED', message: 'no' } });
    await flush();
    expect(s.posted[1]).toMatchObject({ action: 'web-eid:sign-failure', error: { code: 'ERR_WEBEID_USER_CANCELLED' } });
  });

  it('refuses a second request for the same action while one is pending', async () => {
    const s = setup();
    s.bridge.onWindowMessage({ action: 'web-eid:authenticate', challengeNonce: 'a' });
    s.bridge.onWindowMessage({ action: 'web-eid:authenticate', challengeNonce: 'b' });
    expect(s.requests).toHaveLength(1);
    expect(s.posted).toContainEqual({ action: 'web-eid:authenticate-failure', error: expect.objectContaining({ code: 'ERR_WEBEID_ACTION_PENDING' }) });
    // Another action is fine meanwhile, and the first action is free again once answered.
    s.bridge.onWindowMessage({ action: 'web-eid:status' });
    expect(s.requests).toHaveLength(2);
    s.replies[0]?.({ ok: true, result: {} });
    await flush();
    s.bridge.onWindowMessage({ action: 'web-eid:authenticate', challengeNonce: 'c' });
    expect(s.requests).toHaveLength(3);
  });

  it('ignores its own replies, warnings and unknown actions', () => {
    const s = setup();
    for (const action of ['web-eid:authenticate-ack', 'web-eid:status-success', 'web-eid:sign-failure', 'web-eid:warning', 'web-eid:other']) {
      s.bridge.onWindowMessage({ action });
    }
    expect(s.posted).toEqual([]);
    expect(s.requests).toEqual([]);
  });

  it('returns status as library, extension and native app versions only', async () => {
    const s = setup();
    s.bridge.onWindowMessage({ action: 'web-eid:status', libraryVersion: '2.1.0' });
    s.replies[0]?.({ ok: true, result: { extension: '0.1.0', nativeApp: '0.1.0', readers: [] } });
    await flush();
    expect(s.posted[1]).toEqual({ action: 'web-eid:status-success', library: '2.1.0', extension: '0.1.0', nativeApp: '0.1.0' });
  });

  it('reports an unreachable background as ERR_WEBEID_EXTENSION_UNAVAILABLE', async () => {
    const posted: unknown[] = [];
    const bridge = new PageBridge({
      postToPage: (m) => posted.push(m),
      sendToBackground: () => Promise.reject(new Error('Extension context invalidated.')),
      pageApiAllowed: () => false,
    });
    bridge.onWindowMessage({ action: 'web-eid:status' });
    await flush();
    expect(posted[1]).toMatchObject({ action: 'web-eid:status-failure', error: { code: 'ERR_WEBEID_EXTENSION_UNAVAILABLE' } });
  });
});

describe('PageBridge (window.eidBridge)', () => {
  it('answers requests with their id on allowed origins', async () => {
    const s = setup(true);
    s.bridge.onWindowMessage({ eidBridge: 'request', id: 'x-1', action: 'read-identity', args: { includePhoto: true } });
    expect(s.requests[0]).toMatchObject({ action: 'read-identity', args: { includePhoto: true } });
    s.replies[0]?.({ ok: true, result: { identity: {} } });
    await flush();
    expect(s.posted[0]).toEqual({ eidBridge: 'reply', id: 'x-1', ok: true, result: { identity: {} } });
  });

  it('does nothing on other origins', () => {
    const s = setup(false);
    s.bridge.onWindowMessage({ eidBridge: 'request', id: 'x-1', action: 'read-identity', args: {} });
    expect(s.requests).toEqual([]);
    expect(s.posted).toEqual([]);
  });
});

describe('PageBridge on a sandboxed page', () => {
  it('refuses every request of a page with an opaque origin with ERR_WEBEID_CONTEXT_INSECURE, without asking the background', async () => {
    const s = setup(true, true);
    s.bridge.onWindowMessage({ action: 'web-eid:authenticate', challengeNonce: 'n'.repeat(44) });
    s.bridge.onWindowMessage({ eidBridge: 'request', id: 'x-1', action: 'status', args: {} });
    await flush();
    expect(s.requests).toEqual([]);
    expect(s.posted).toContainEqual({ action: 'web-eid:authenticate-failure', error: expect.objectContaining({ code: 'ERR_WEBEID_CONTEXT_INSECURE' }) });
    expect(s.posted).toContainEqual({ eidBridge: 'reply', id: 'x-1', ok: false, error: expect.objectContaining({ code: 'ERR_WEBEID_CONTEXT_INSECURE' }) });
  });
});
