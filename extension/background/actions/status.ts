/**
 * `status`: the versions of the extension and the host, and whether a card is
 * in a reader. No dialog, so nothing that tells one card or person from
 * another: no reader names, no card serial, no PIN tries left (those appear
 * only inside the dialog). Web eID's own status answer carries the versions only.
 */
import { VERSION } from '../../../shared/version.js';
import type { EidBridgeStatus } from '../../lib/page-api-types.js';
import type { ActionContext } from './action.js';

export async function status({ host }: ActionContext): Promise<EidBridgeStatus> {
  const result = await host.request('status', {});
  return { extension: VERSION, nativeApp: host.hostVersion ?? result.version, cardPresent: result.readers.some((r) => r.cardPresent) };
}
