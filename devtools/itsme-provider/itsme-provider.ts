/**
 * A STAND-IN for itsme, for demos and tests only: an OpenID Connect provider
 * (oidc-provider) that plays the itsme app. The person types a phone number
 * and confirms; the provider logs in whoever the stand-in's directory lists
 * for that number. No phone, no app, no identity check: never configure a
 * real backend for it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { CompactSign, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** Someone the stand-in can log in: the phone number without the country code and the leading 0. */
export interface StandInPerson {
  phone: string;
  nationalNumber: string;
  givenName: string;
  familyName: string;
}

/** Valid test national numbers (mod-97 checksum), never a real person's. */
export const STAND_IN_PEOPLE: StandInPerson[] = [
  { phone: '470123456', nationalNumber: '85073000160', givenName: 'Jan', familyName: 'Janssens' },
  { phone: '470654321', nationalNumber: '85073000259', givenName: 'Alice Marie', familyName: 'Peeters' },
];

/**
 * For tests of the relying party: the ID token the token endpoint hands out is changed after
 * signing. 'other-key' signs it with a key the JWKS does not hold (under the real key's id),
 * 'other-audience' names another client and signs it with the real key.
 */
export type Tampering = 'other-key' | 'other-audience';

export interface ItsmeProviderOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** The claim that carries the national number, as the backend is configured to read it. */
  nationalNumberClaim?: string;
  people?: StandInPerson[];
  tamper?: Tampering;
}

export interface ItsmeProvider {
  issuer: string;
  close(): Promise<void>;
}

const ALG = 'ES256';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function phonePage(uid: string, message = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>itsme (stand-in)</title></head><body>
<p><strong>Stand-in for itsme, for demos and tests: not the real app.</strong></p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label>Phone number <span>BE (+32)</span> <input name="phone" inputmode="numeric" autocomplete="tel-national" placeholder="470123456" required></label>
${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<button type="submit" name="confirm" value="yes">Confirm</button>
<button type="submit" name="confirm" value="no">Cancel</button>
</form></body></html>`;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/** The national number of the phone as typed: spaces and a leading 0 or +32 are forgiven. */
function findByPhone(people: StandInPerson[], typed: string): StandInPerson | undefined {
  const digits = typed.replace(/\D/g, '').replace(/^(32|0)/, '');
  return people.find((p) => p.phone === digits);
}

export async function startItsmeProvider(options: ItsmeProviderOptions): Promise<ItsmeProvider> {
  const people = options.people ?? STAND_IN_PEOPLE;
  const claim = options.nationalNumberClaim ?? 'national_number';
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: ALG, use: 'sig' };

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const issuer = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: ALG,
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['given_name', 'family_name', claim] },
    // The claims of the granted scopes in the ID token itself, so a relying party needs no userinfo call.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const person = people.find((p) => p.nationalNumber === sub);
      if (!person) return undefined;
      return { accountId: sub, claims: async () => ({ sub, given_name: person.givenName, family_name: person.familyName, [claim]: person.nationalNumber }) };
    },
  });

  if (options.tamper) {
    const tampering = options.tamper;
    const { privateKey: otherKey } = await generateKeyPair(ALG);
    const realKey = await importJWK(signingJwk, ALG);
    provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
      await next();
      const body = ctx.body as { id_token?: string } | undefined;
      if (ctx.path !== '/token' || typeof body?.id_token !== 'string') return;
      const header = decodeProtectedHeader(body.id_token);
      const payload = JSON.parse(Buffer.from(body.id_token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (tampering === 'other-audience') payload.aud = 'another-relying-party';
      const key = tampering === 'other-key' ? otherKey : realKey;
      body.id_token = await new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: ALG, kid: header.kid!, typ: header.typ }).sign(key);
    });
  }

  const oidcHandler = provider.callback();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const match = /^\/interaction\/([\w-]+)$/.exec(request.url ?? '');
    if (!match) return void oidcHandler(request, response);
    void handleInteraction(request, response, match[1]!).catch((error: unknown) => {
      response.statusCode = 400;
      response.end(`stand-in itsme: ${(error as Error).message}`);
    });
  });

  async function handleInteraction(request: IncomingMessage, response: ServerResponse, uid: string): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    if (details.uid !== uid) throw new Error('unknown interaction');
    if (request.method === 'GET') {
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      return void response.end(phonePage(uid));
    }
    const form = await readForm(request);
    if (form.get('confirm') !== 'yes') {
      return provider.interactionFinished(request, response, { error: 'access_denied', error_description: 'The person cancelled in the app' }, { mergeWithLastSubmission: false });
    }
    const person = findByPhone(people, form.get('phone') ?? '');
    if (!person) {
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.statusCode = 200;
      return void response.end(phonePage(uid, 'No itsme account for this number'));
    }
    const grant = new provider.Grant({ accountId: person.nationalNumber, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(request, response, { login: { accountId: person.nationalNumber }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  return {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
