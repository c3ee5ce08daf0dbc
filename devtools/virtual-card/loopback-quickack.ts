/**
 * A fast link to vpcd. vpcd (inside pcscd) sends each command as two TCP
 * writes, the 2-byte length and then the APDU. With Nagle's algorithm on
 * vpcd's socket the second write waits for the ACK of the first, and the
 * card's side delays that ACK (Linux: up to 40 ms) because it has nothing to
 * send yet: every APDU costs about 40 ms. Node cannot set TCP_QUICKACK on a
 * socket, so the card connects to vpcd through a loopback address of its own,
 * VPCD_LINK_HOST, and a /32 route for that address with `quickack 1` makes
 * the kernel acknowledge at once. Nothing else uses the address, so the route
 * changes nothing for any other program; it is added only when missing, and
 * removed again by the process that added it (docs/card.md, "The vpcd link").
 */
import { execFile } from 'node:child_process';

/** The loopback address the card dials vpcd on (vpcd listens on every address). */
export const VPCD_LINK_HOST = '127.0.35.63';

const PREFIX = `${VPCD_LINK_HOST}/32`;
/** The route as `ip route add` and `del` take it. */
const ROUTE = ['local', PREFIX, 'dev', 'lo', 'table', 'local'];

function ip(args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile('ip', args, { timeout: 5000 }, (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }));
  });
}

export type QuickAckState = 'added' | 'present' | 'unavailable';

export interface QuickAckRoute {
  /** added: this process put the route in; present: someone else did; unavailable: no `ip`, or not allowed (not root). */
  readonly state: QuickAckState;
  /** Removes the route if this process added it (the last user in this process). */
  release(): Promise<void>;
}

let users = 0;
let adding: Promise<QuickAckState> | undefined;

async function addRoute(): Promise<QuickAckState> {
  const shown = await ip(['route', 'show', 'table', 'local', PREFIX]);
  if (!shown.ok) return 'unavailable';
  if (/quickack 1/.test(shown.output)) return 'present';
  const added = await ip(['route', 'add', ...ROUTE, 'quickack', '1']);
  return added.ok ? 'added' : 'unavailable';
}

/**
 * Makes sure the quick-ACK route for VPCD_LINK_HOST is in place while the
 * caller needs it. Never throws: without the route the link works, only slower.
 */
export async function holdQuickAckRoute(): Promise<QuickAckRoute> {
  users += 1;
  adding ??= addRoute();
  const state = await adding;
  let released = false;
  return {
    state,
    async release() {
      if (released) return;
      released = true;
      users -= 1;
      if (users > 0 || !adding) return;
      const owned = (await adding) === 'added';
      adding = undefined;
      if (owned) await ip(['route', 'del', ...ROUTE]);
    },
  };
}
