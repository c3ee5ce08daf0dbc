/**
 * Card figures on the virtual card through the real host, pcscd and vpcd:
 * APDUs, time and milliseconds per APDU for authenticate (first time, then
 * with the certificates cached) and for read-identity with the photo. The
 * vpcd link adds its own latency (well under a millisecond with the quick-ACK
 * route, about 40 ms without: docs/card.md, "The vpcd link"), so times are an
 * upper bound for a real reader's protocol overhead, not a real chip's speed.
 */
import { randomBytes } from 'node:crypto';
import { createVirtualCard, type VirtualCardProfile } from '../virtual-card/virtual-card.js';
import { connectToVpcd } from '../virtual-card/vpcd-client.js';
import { HostProcess } from '../../tests/helpers/host-process.js';
import { ms, row } from './stats.js';

const PIN = '1234';

export async function benchCard(port = 35963): Promise<void> {
  console.log('\nVirtual card over pcscd + vpcd (through the native host)');
  for (const profile of ['1.7', '1.8'] as VirtualCardProfile[]) {
    const card = await createVirtualCard({ profile, pin: PIN });
    const link = await connectToVpcd(card, { port, retryForMs: 10_000 });
    if (profile === '1.7') row('quick-ACK route for the vpcd link', link.quickAck);
    const host = new HostProcess({ EID_BRIDGE_BACKENDS: 'pcsc' });
    try {
      await host.next();
      await host.request('status');
      const measure = async (label: string, command: string, args: Record<string, unknown>) => {
        const before = card.apduCount;
        const t0 = performance.now();
        const reply = await host.request(command, args, undefined, 60_000);
        const elapsed = performance.now() - t0;
        if (reply.error) throw new Error(`${command}: ${reply.error.code} ${reply.error.message}`);
        const apdus = card.apduCount - before;
        row(`${profile} ${label}`, `${ms(elapsed).padStart(10)}  ${String(apdus).padStart(4)} APDUs  ${ms(elapsed / apdus).padStart(9)} per APDU`);
      };
      const auth = () => ({ challengeNonce: randomBytes(32).toString('base64'), origin: 'https://www.belgium.be', pin: PIN });
      await measure('authenticate, first time', 'authenticate', auth());
      await measure('authenticate, certificates cached', 'authenticate', auth());
      await measure('read-identity with photo', 'read-identity', { includePhoto: true });
    } finally {
      await host.close();
      await link.close();
    }
  }
}
