/**
 * eid-bridge status: what the native host would report to the browser —
 * host version, card backends, readers and cards — computed in this process
 * with the same code the host runs.
 */
import { parseArgs } from 'node:util';
import type { StatusResult } from '../../shared/protocol.js';
import { hostStatus } from '../../native-host/src/index.js';
import type { CliCommand } from '../cli-command.js';

export function formatStatus(s: StatusResult): string {
  const lines = [`eID Bridge host ${s.version}`, '', 'Card backends:'];
  for (const b of s.backends) {
    lines.push(`  ${b.name.padEnd(7)} ${b.available ? 'available' : 'not available'}${b.reason ? ` — ${b.reason}` : ''}`);
    if (b.detail) lines.push(`          ${b.detail}`);
  }
  lines.push('', 'Readers:');
  if (s.readers.length === 0) lines.push('  none found: connect a card reader, and check that the PC/SC service runs (systemctl status pcscd)');
  for (const r of s.readers) {
    const card = r.cardPresent ? (r.cardType ?? 'card present') : 'no card';
    const extras = [
      r.tokenLabel && `label ${r.tokenLabel}`,
      r.pinPad && 'PIN pad',
      r.pinTriesLeft !== undefined && `${r.pinTriesLeft} PIN tries left`,
      r.virtual && 'virtual',
    ].filter(Boolean);
    lines.push(`  ${r.name} [${r.backend}]: ${card}${extras.length ? ` (${extras.join(', ')})` : ''}`);
  }
  return lines.join('\n');
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'Show the host version, card backends, readers and cards',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      console.log('Usage: eid-bridge status [--json]');
      return 0;
    }
    const result = await hostStatus(process.env);
    console.log(values.json ? JSON.stringify(result, null, 2) : formatStatus(result));
    return 0;
  },
};
