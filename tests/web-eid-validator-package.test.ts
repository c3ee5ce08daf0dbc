/**
 * The token validator as site developers get it: `npm pack` builds the
 * package from shared/token-validator/ (packages/web-eid-validator/), and it
 * is installed into an empty directory outside the repository. There a
 * script validates tokens, TypeScript finds the types, Chromium runs it on a
 * page and in a worker, and the README's Express and Fastify servers run as
 * written. Chromium is a shared machine resource: run this file under the
 * e2e lock.
 *
 * The install needs no network: the site's package-lock.json is cut from the
 * repository's, so every dependency comes from the npm cache at the version
 * the repository pins (npm ci put them there).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../devtools/chromium.js';
import { createTestPki, type TestPki } from '../devtools/test-pki/test-pki.js';
import { createTestAuthToken } from '../shared/token-validator/test-token.js';
import type { WebEidAuthToken } from '../shared/token-validator/validator.js';
import { base64ToBytes, bytesToBase64 } from '../shared/bytes.js';

const run = promisify(execFile);
const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
const PACKAGE_SOURCE = join(REPOSITORY, 'packages/web-eid-validator');
const ORIGIN = 'https://login.example.be';
const NODE_BUILTINS = new Set(builtinModules);

interface LockEntry {
  version: string;
  name?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [field: string]: unknown;
}

interface PackResult {
  filename: string;
  integrity: string;
  files: { path: string }[];
}

/**
 * A package-lock.json for a site that depends on the packed tarball and on
 * `others` at the repository's versions: each package is placed where the
 * repository's lock places it, with its registry address, so `npm ci
 * --offline` takes it from the cache.
 */
function siteLock(repositoryLock: Record<string, LockEntry>, tarball: PackResult, manifest: LockEntry, others: Record<string, string>) {
  const packages: Record<string, unknown> = {
    '': { name: 'site', dependencies: { [manifest.name!]: `file:${tarball.filename}`, ...others } },
    [`node_modules/${manifest.name}`]: { version: manifest.version, resolved: `file:${tarball.filename}`, integrity: tarball.integrity, dependencies: manifest.dependencies },
  };
  const parentOf = (path: string) => path.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '');
  const locate = (name: string, from: string): string | undefined => {
    for (let dir = from; ; dir = parentOf(dir)) {
      const path = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (repositoryLock[path]) return path;
      if (!dir) return undefined;
    }
  };
  const place = (from: string, dependencies: Record<string, string> | undefined, required: boolean) => {
    for (const name of Object.keys(dependencies ?? {})) {
      const path = locate(name, from);
      if (!path) {
        if (required) throw new Error(`${name} (needed by ${from || 'the site'}) is not in package-lock.json`);
        continue;
      }
      if (packages[path]) continue;
      // The repository's lock marks what only its development needs; for the site everything is needed.
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = repositoryLock[path]!;
      const packageName = entry.name ?? path.replace(/^.*node_modules\//, '');
      packages[path] = { resolved: `https://registry.npmjs.org/${packageName}/-/${packageName.replace(/^@[^/]+\//, '')}-${entry.version}.tgz`, ...entry };
      place(path, entry.dependencies, true);
      place(path, entry.optionalDependencies, false);
      place(path, entry.peerDependencies, false);
    }
  };
  place(`node_modules/${manifest.name}`, manifest.dependencies, true);
  place('', others, true);
  return { name: 'site', lockfileVersion: 3, requires: true, packages };
}

let site: string;
let packed: PackResult;
let manifest: LockEntry;
let repositoryLock: Record<string, LockEntry>;
let ec: TestPki;
let rsa: TestPki;
let untrusted: TestPki;
const trustedPem = () => join(site, 'eid-trusted-cas.pem');

beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), 'web-eid-site-'));
  const pack = await run('npm', ['pack', '--json', '--pack-destination', site], { cwd: PACKAGE_SOURCE });
  packed = (JSON.parse(pack.stdout) as PackResult[])[0]!;
  manifest = JSON.parse(await readFile(join(PACKAGE_SOURCE, 'package.json'), 'utf8')) as LockEntry;
  repositoryLock = (JSON.parse(await readFile(join(REPOSITORY, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  // The frameworks of the README's examples, at the versions the repository's tests use.
  const frameworks = Object.fromEntries(['express', 'cookie-parser', 'fastify', '@fastify/cookie'].map((name) => [name, repositoryLock[`node_modules/${name}`]!.version]));
  const lock = siteLock(repositoryLock, packed, manifest, frameworks);
  await writeFile(join(site, 'package.json'), JSON.stringify({ name: 'site', private: true, type: 'module', dependencies: (lock.packages[''] as LockEntry).dependencies }, null, 2));
  await writeFile(join(site, 'package-lock.json'), JSON.stringify(lock, null, 2));
  await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: site });

  [ec, rsa, untrusted] = await Promise.all([createTestPki({ keyType: 'ec' }), createTestPki({ keyType: 'rsa' }), createTestPki({ keyType: 'ec' })]);
  await writeFile(trustedPem(), [ec.root.pem, ec.citizenCa.pem, rsa.root.pem, rsa.citizenCa.pem].join('\n'));
}, 240_000);

afterAll(async () => {
  if (site) await rm(site, { recursive: true, force: true });
});

function tokenFor(pki: TestPki, nonce: string, origin = ORIGIN): Promise<WebEidAuthToken> {
  return createTestAuthToken({ certificateDer: pki.authentication.der, privateKey: pki.authentication.privateKey, origin, nonce });
}

function withSignatureChanged(token: WebEidAuthToken): WebEidAuthToken {
  const signature = base64ToBytes(token.signature);
  signature[10]! ^= 0x01;
  return { ...token, signature: bytesToBase64(signature) };
}

/** 32 random bytes in base64, as a site's challenge. */
function nonce(): string {
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(32)));
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

let bundled: Promise<{ code: string; inputs: string[] }> | undefined;
/** The installed package with all its dependencies, bundled by esbuild for the browser. */
function browserBundle(): Promise<{ code: string; inputs: string[] }> {
  bundled ??= build({
    stdin: { contents: "export * from 'web-eid-token-validator';", resolveDir: site },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  }).then((result) => ({ code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) }));
  return bundled;
}

describe('the validator package', () => {
  it('holds the compiled validator with a type declaration for each module, its README and licence, and nothing else', () => {
    const paths = packed.files.map((f) => f.path).sort();
    expect(paths.filter((p) => !/^dist\/.+\.(js|d\.ts)$/.test(p))).toEqual(['LICENSE', 'README.md', 'package.json']);
    const modules = paths.filter((p) => p.endsWith('.js'));
    expect(modules).toContain('dist/token-validator/validator.js');
    expect(modules).toContain('dist/token-validator/sql-nonce-store.js');
    expect(modules.map((p) => p.replace(/\.js$/, '.d.ts')).filter((d) => !paths.includes(d))).toEqual([]);
    expect(paths.filter((p) => /test/.test(p))).toEqual([]);
  });

  it('depends on exactly the versions the repository runs the validator with', () => {
    for (const [name, version] of Object.entries(manifest.dependencies!)) expect(`${name}@${repositoryLock[`node_modules/${name}`]?.version}`).toBe(`${name}@${version}`);
  });

  it('imports only its own modules and its declared dependencies, and no Node built-in', async () => {
    const installed = join(site, 'node_modules', manifest.name!);
    const result = await build({ entryPoints: [join(installed, 'dist/token-validator/index.js')], bundle: true, packages: 'external', write: false, metafile: true, logLevel: 'silent', platform: 'neutral' });
    const external = new Set(Object.values(result.metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path)));
    expect([...external].sort()).toEqual(Object.keys(manifest.dependencies!).sort());
    const modules = (await filesUnder(join(installed, 'dist'))).filter((f) => f.endsWith('.js'));
    for (const file of modules) expect(await readFile(file, 'utf8')).not.toMatch(/\bfrom\s+['"]node:|\bimport\(\s*['"]node:|\brequire\(/);
    expect([...external].filter((e) => e.startsWith('node:') || NODE_BUILTINS.has(e))).toEqual([]);
  });

  it('bundles with all its dependencies for a browser, where no Node built-in exists', async () => {
    const { inputs } = await browserBundle();
    expect(inputs.filter((i) => i.startsWith('node:') || NODE_BUILTINS.has(i))).toEqual([]);
    expect(inputs.some((i) => i.endsWith('web-eid-token-validator/dist/token-validator/validator.js'))).toBe(true);
    expect(inputs.some((i) => i.includes('node_modules/@peculiar/x509/'))).toBe(true);
  });

  it('validates a token in Chromium, on a page and in a module worker, and refuses a tampered one', async () => {
    const n1 = nonce();
    const n2 = nonce();
    const attempts = [
      { nonce: n1, token: await tokenFor(rsa, n1) },
      { nonce: n2, token: withSignatureChanged(await tokenFor(ec, n2)) },
    ];
    const validation = `
      import { WebEidTokenValidator, parsePemBundle, isTokenValidationError } from '/web-eid-token-validator.js';
      export async function check({ origin, trusted, attempts }) {
        const validator = new WebEidTokenValidator({ siteOrigin: origin, trustedCertificates: parsePemBundle(trusted) });
        const results = [];
        for (const { token, nonce } of attempts) {
          try {
            results.push({ accepted: (await validator.validate(token, nonce)).person.nationalNumber });
          } catch (error) {
            results.push(isTokenValidationError(error) ? { refused: error.code } : { threw: String(error) });
          }
        }
        return results;
      }`;
    const worker = `import { check } from '/check.js'; onmessage = async (event) => postMessage(await check(event.data));`;
    const files: Record<string, string> = { '/web-eid-token-validator.js': (await browserBundle()).code, '/check.js': validation, '/worker.js': worker, '/': '<!doctype html><title>validator</title>' };
    const server = createServer((request, response) => {
      const body = files[request.url ?? ''];
      response.writeHead(body === undefined ? 404 : 200, { 'Content-Type': request.url === '/' ? 'text/html' : 'text/javascript' });
      response.end(body ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const input = { origin: ORIGIN, trusted: await readFile(trustedPem(), 'utf8'), attempts };
      // As a string: vitest rewrites import() inside functions it compiles, and the page has no such helper.
      const onPage = await page.evaluate(`import('/check.js').then((m) => m.check(${JSON.stringify(input)}))`);
      const inWorker = await page.evaluate(
        (data) =>
          new Promise((resolve, reject) => {
            const w = new Worker('/worker.js', { type: 'module' });
            w.onmessage = (event) => resolve(event.data);
            w.onerror = (event) => reject(new Error(event.message));
            w.postMessage(data);
          }),
        input,
      );
      const expected = [{ accepted: '85073000259' }, { refused: 'SIGNATURE_INVALID' }];
      expect({ onPage, inWorker }).toEqual({ onPage: expected, inWorker: expected });
    } finally {
      await browser.close();
      server.close();
    }
  });

  it('validates tokens in a directory with nothing but the installed package, and refuses a tampered or foreign one', async () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { WebEidTokenValidator, parsePemBundle, isTokenValidationError } from 'web-eid-token-validator';
      const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
      const validator = new WebEidTokenValidator({ siteOrigin: input.origin, trustedCertificates: parsePemBundle(readFileSync(input.trusted, 'utf8')) });
      const results = [];
      for (const { token, nonce } of input.attempts) {
        try {
          const { person, algorithm } = await validator.validate(token, nonce);
          results.push({ accepted: algorithm, person });
        } catch (error) {
          if (!isTokenValidationError(error)) throw error;
          results.push({ refused: error.code });
        }
      }
      console.log(JSON.stringify({ resolvedFrom: import.meta.resolve('web-eid-token-validator'), results }));
    `;
    await writeFile(join(site, 'check.mjs'), script);
    const [n1, n2, n3, n4, n5] = [nonce(), nonce(), nonce(), nonce(), nonce()];
    const attempts = [
      { nonce: n1, token: await tokenFor(ec, n1) },
      { nonce: n2, token: await tokenFor(rsa, n2) },
      { nonce: n3, token: withSignatureChanged(await tokenFor(ec, n3)) },
      { nonce: n4, token: await tokenFor(ec, n4, 'https://phishing.example') },
      { nonce: n5, token: await tokenFor(untrusted, n5) },
    ];
    await writeFile(join(site, 'attempts.json'), JSON.stringify({ origin: ORIGIN, trusted: trustedPem(), attempts }));
    const { stdout } = await run(process.execPath, ['check.mjs', 'attempts.json'], { cwd: site, env: { PATH: process.env.PATH } });
    const { resolvedFrom, results } = JSON.parse(stdout) as { resolvedFrom: string; results: unknown[] };
    expect(fileURLToPath(resolvedFrom).startsWith(join(site, 'node_modules', manifest.name!))).toBe(true);
    const person = { name: 'Alice Marie Peeters', givenNames: 'Alice Marie', surname: 'Peeters', nationalNumber: '85073000259', country: 'BE' };
    expect(results).toEqual([
      { accepted: 'ES384', person },
      { accepted: 'RS256', person },
      { refused: 'SIGNATURE_INVALID' },
      { refused: 'SIGNATURE_INVALID' },
      { refused: 'CERTIFICATE_UNTRUSTED' },
    ]);
  });

  it('gives TypeScript its types through the package exports, with no Node types', async () => {
    await writeFile(
      join(site, 'types.ts'),
      `import { WebEidTokenValidator, SqlNonceStore, issueChallengeNonce, type NonceStore, type SqlQuery, type ValidatedToken } from 'web-eid-token-validator';
      const validator = new WebEidTokenValidator({ siteOrigin: 'https://login.example.be', trustedCertificates: [] });
      export const validated: Promise<ValidatedToken> = validator.validate('{}', 'nonce');
      const query: SqlQuery = async () => [];
      const store: NonceStore = new SqlNonceStore(query, { parameters: '?' });
      export const nationalNumber: Promise<string> = validated.then((v) => v.person.nationalNumber);
      export const issued: Promise<{ nonce: string; expiresAt: number }> = issueChallengeNonce(store, 'session');
      // @ts-expect-error a misspelt option is an error, so the declarations are really read
      new SqlNonceStore(query, { parameter: '?' });
      `,
    );
    const config = { compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: [] }, files: ['types.ts'] };
    await writeFile(join(site, 'tsconfig.json'), JSON.stringify(config));
    const tsc = join(REPOSITORY, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: site }).then(
      ({ stdout }) => ({ status: 0, output: stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({ status: e.code, output: e.stdout + e.stderr }),
    );
    expect(result).toEqual({ status: 0, output: '' });
  });
});

/** Starts a README example server in the site directory and returns its port once it listens. */
async function startExample(file: string): Promise<{ port: number; server: ChildProcess; output: () => string }> {
  const server = spawn(process.execPath, [file], {
    cwd: site,
    env: { PATH: process.env.PATH, SITE_ORIGIN: ORIGIN, EID_TRUSTED_CERTIFICATES: trustedPem(), PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  server.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start listening: ${output}`)), 20_000);
    server.stdout!.on('data', () => {
      const match = /Listening on port (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}: ${output}`));
    });
  });
  return { port, server, output: () => output };
}

/** The code blocks of the package README that start with "// <file>". */
async function readmeExample(file: string): Promise<string> {
  const readme = await readFile(join(PACKAGE_SOURCE, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.startsWith(`// ${file}\n`));
  if (!block) throw new Error(`The package README has no example starting with "// ${file}"`);
  return block;
}

describe.each(['server-express.mjs', 'server-fastify.mjs'])('the README example %s, run in the site directory', (file) => {
  let example: Awaited<ReturnType<typeof startExample>>;
  beforeAll(async () => {
    await writeFile(join(site, file), await readmeExample(file));
    example = await startExample(file);
  });
  afterAll(() => {
    example?.server.kill();
  });

  const url = (path: string) => `http://127.0.0.1:${example.port}${path}`;

  async function challenge(): Promise<{ nonce: string; cookie: string }> {
    const response = await fetch(url('/eid/challenge'));
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('eid_login='));
    expect(cookie).toMatch(/HttpOnly/i);
    return { nonce: ((await response.json()) as { nonce: string }).nonce, cookie: cookie!.split(';')[0]! };
  }

  async function login(authToken: unknown, cookie?: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url('/eid/login'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
      body: JSON.stringify({ authToken }),
    });
    return { status: response.status, body: await response.json() };
  }

  it('logs a person in once with a token over its challenge; a replay, a tampered token and a token without the session cookie are refused', async () => {
    const { nonce, cookie } = await challenge();
    const token = await tokenFor(ec, nonce);
    expect(await login(token, cookie)).toEqual({ status: 200, body: { name: 'Alice Marie Peeters', nationalNumber: '85073000259' } });
    expect(await login(token, cookie)).toEqual({ status: 401, body: { error: 'NONCE_NOT_FOUND' } });

    const second = await challenge();
    expect(await login(withSignatureChanged(await tokenFor(rsa, second.nonce)), second.cookie)).toEqual({ status: 401, body: { error: 'SIGNATURE_INVALID' } });

    const third = await challenge();
    expect(await login(await tokenFor(rsa, third.nonce))).toEqual({ status: 401, body: { error: 'NONCE_NOT_FOUND' } });
    expect(await login(await tokenFor(rsa, third.nonce), third.cookie)).toEqual({ status: 200, body: { name: 'Alice Marie Peeters', nationalNumber: '85073000259' } });
    expect(example.output()).not.toMatch(/error/i);
  });
});
