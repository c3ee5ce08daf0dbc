/** `status`: the versions of the extension and the host, and the readers. No dialog. */
import type { StatusResult } from '../../../shared/protocol.js';
import { VERSION } from '../../../shared/version.js';
import type { ActionContext } from './action.js';

export async function status({ host }: ActionContext): Promise<{ extension: string; nativeApp: string; readers: StatusResult['readers'] }> {
  const result = await host.request('status', {});
  return { extension: VERSION, nativeApp: host.hostVersion ?? result.version, readers: result.readers };
}
