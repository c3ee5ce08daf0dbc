/**
 * The main job: a whole eID login, end to end, in one command. Every process
 * it starts is stopped at the end, on Ctrl-C and on failure, and only those.
 */
import { join } from 'node:path';
import type { DemoBrowser, LoginOutcome } from './browser.js';
import { openBrowser } from './browser.js';
import { demoBackendUrl, startBackend } from './backend.js';
import { DEMO_ITSME_PHONE, startItsmeProvider } from './itsme.js';
import { physicalCard, startVirtualCard, type DemoCard } from './card.js';
import { acquireLock } from './lock.js';
import { ProcessGroup, stopLeftovers } from './processes.js';
import { createStepRunner, StepFailure, type StepRunner } from './steps.js';

/** The digital key the demo logs in with: the card (real or virtual) or itsme (the stand-in provider). */
export type DemoKey = 'eid' | 'itsme';

export interface DemoOptions {
  browser: DemoBrowser;
  key: DemoKey;
  headless: boolean;
  port: number;
  root: string;
  /** Where the demo keeps its state, logs and browser profile. */
  stateDir: string;
  screenshotDir: string;
}

/** Closing a browser that no longer answers must not hang the demo: its processes are stopped with the rest. */
async function closeWithin(closing: Promise<void>, ms: number): Promise<void> {
  await Promise.race([closing.catch(() => {}), new Promise((r) => setTimeout(r, ms).unref())]);
}

export async function runDemo(o: DemoOptions): Promise<number> {
  const cli = join(o.root, 'dist/eid-bridge.mjs');
  const pidFile = join(o.stateDir, 'processes.pid');
  const group = new ProcessGroup(pidFile);
  const steps = createStepRunner(o.headless ? 6 : 5);
  let releaseLock = () => {};
  let browserClose: (() => Promise<void>) | undefined;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    console.log('\nStopping everything the demo started …');
    void closeWithin(browserClose?.() ?? Promise.resolve(), 10_000).finally(() => void group.stopAll().finally(() => {
      releaseLock();
      process.exit(130);
    }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal or pipe (| head) must not kill the demo before it has stopped what it started.
  const onOutputError = () => {};
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);

  try {
    releaseLock = await steps.run('Check that no other demo runs', 'nothing', async () => {
      const release = acquireLock(join(o.stateDir, 'demo.pid'));
      const stale = stopLeftovers(pidFile, o.stateDir);
      if (stale > 0) console.log(`      stopped ${stale} process(es) left by an earlier run that was killed`);
      return release;
    });

    if (o.key === 'itsme') return await runItsmeDemo(o, group, steps, (close) => (browserClose = close));

    const card: DemoCard = await steps.run('Find the card', 'a Belgian eID card in a reader, else the virtual card', async () => {
      const physical = await physicalCard();
      if (physical) return { virtual: false, reader: physical.name, description: physical.cardType ?? 'card' };
      return startVirtualCard(group, o.stateDir, cli);
    });
    console.log(`      using the ${card.description} in "${card.reader}"`);

    const backendUrl = await steps.run('Start the reference backend', `${demoBackendUrl(o.port)} answering /healthz`, () =>
      startBackend(group, { stateDir: o.stateDir, cli, port: o.port, trustedRoots: card.trustPem }),
    );
    const loginUrl = `${backendUrl}/login?minLevel=500&lang=en&return=${encodeURIComponent('/demo/welcome?minLevel=500')}`;

    const browser = await steps.run(`Open ${o.browser}`, `${o.headless ? 'headless ' : ''}${o.browser} with the extension and the native host`, () =>
      openBrowser({
        browser: o.browser,
        headless: o.headless,
        stateDir: o.stateDir,
        root: o.root,
        loginUrl,
        screenshotDir: o.screenshotDir,
        hostEnv: { EID_BRIDGE_BACKENDS: 'pcsc', EID_BRIDGE_LOG_FILE: join(o.stateDir, 'host.log'), EID_BRIDGE_CONFIG: join(o.stateDir, 'host.json') },
      }),
    );
    browserClose = browser.close;

    if (o.headless) {
      if (!card.pin) {
        throw new StepFailure('a headless run cannot type the PIN of a physical card', 'run the demo with a display, or take the card out to use the virtual card');
      }
      const pin = card.pin;
      const outcome = await steps.run('Log in with eID', 'choose eID, type the PIN in the extension dialog, wait for the welcome page', () => browser.login(pin, card.authenticationCertificate));
      printLogin(outcome, { withAlgorithm: true });
      await stopAll(steps, 'the browser, the backend and the virtual card', browser, group);
      return 0;
    }

    await steps.run('Log in', `in the browser window: choose "eID", then type your PIN${card.pin ? ` (the virtual card's PIN is ${card.pin})` : ''}. Close the browser or press Ctrl-C to stop`, () => browser.closed);
    await group.stopAll();
    return 0;
  } catch (e) {
    // Ctrl-C closed the browser under a running step: the signal handler is already stopping everything.
    if (interrupted) return 130;
    // A failing step has said what failed and what to do; anything else is a bug worth its stack.
    if (!(e instanceof StepFailure) && !(e instanceof Error && 'code' in e)) console.error(e);
    if (browserClose) await closeWithin(browserClose(), 15_000);
    await group.stopAll();
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    releaseLock();
  }
}

/**
 * The itsme demo: the stand-in provider and a backend configured for it, then "AANMELDEN via
 * itsme" in the browser. The browser still has the extension (the popup works after the login),
 * but no card and no PIN take part.
 */
async function runItsmeDemo(o: DemoOptions, group: ProcessGroup, steps: StepRunner, onBrowser: (close: () => Promise<void>) => void): Promise<number> {
  const itsmeEnv = await steps.run('Start the stand-in itsme provider', 'an OpenID Connect provider on 127.0.0.1 (a stand-in, not the real itsme)', () =>
    startItsmeProvider(group, { root: o.root, stateDir: o.stateDir, backendUrl: demoBackendUrl(o.port) }),
  );
  console.log(`      issuer ${itsmeEnv.EID_BRIDGE_ITSME_ISSUER}`);
  const cli = join(o.root, 'dist/eid-bridge.mjs');
  const backendUrl = await steps.run('Start the reference backend', `${demoBackendUrl(o.port)} answering /healthz, configured for the provider`, () =>
    startBackend(group, { stateDir: o.stateDir, cli, port: o.port, extraEnv: itsmeEnv }),
  );
  const loginUrl = `${backendUrl}/login?minLevel=500&lang=en&return=${encodeURIComponent('/demo/welcome?minLevel=500')}`;
  const browser = await steps.run(`Open ${o.browser}`, `${o.headless ? 'headless ' : ''}${o.browser} on the key choice`, () =>
    openBrowser({
      browser: o.browser,
      headless: o.headless,
      stateDir: o.stateDir,
      root: o.root,
      loginUrl,
      screenshotDir: o.screenshotDir,
      hostEnv: { EID_BRIDGE_LOG_FILE: join(o.stateDir, 'host.log'), EID_BRIDGE_CONFIG: join(o.stateDir, 'host.json') },
    }),
  );
  onBrowser(browser.close);
  if (!o.headless) {
    await steps.run('Log in', `in the browser window: choose "LOG IN via itsme", type ${DEMO_ITSME_PHONE} after BE (+32), open the stand-in phone and confirm with the 5-digit code shown. Close the browser or press Ctrl-C to stop`, () => browser.closed);
    await group.stopAll();
    return 0;
  }
  const outcome = await steps.run('Log in via itsme', `choose "LOG IN via itsme", phone ${DEMO_ITSME_PHONE}, "I log in" and the 5-digit code on the stand-in phone, wait for the welcome page`, () =>
    browser.loginWithItsme(DEMO_ITSME_PHONE),
  );
  printLogin(outcome, { withAlgorithm: false });
  await stopAll(steps, 'the browser, the backend and the provider', browser, group);
  return 0;
}

/** What a headless login ended with; an itsme login has no token, so no algorithm. */
function printLogin(outcome: LoginOutcome, o: { withAlgorithm: boolean }): void {
  console.log('');
  console.log(`Logged in: ${outcome.name}`);
  console.log(`  national number   ${outcome.nationalNumber}`);
  console.log(`  digital key       ${outcome.level}`);
  if (o.withAlgorithm) console.log(`  token algorithm   ${outcome.algorithm}`);
  console.log(`  screenshots       ${outcome.screenshots.join(', ')}`);
}

/** The last step of a headless demo: the browser closed (bounded), then every process the demo started. */
async function stopAll(steps: StepRunner, what: string, browser: { close(): Promise<void> }, group: ProcessGroup): Promise<void> {
  await steps.run('Stop', what, async () => {
    await closeWithin(browser.close(), 15_000);
    await group.stopAll();
  });
}
