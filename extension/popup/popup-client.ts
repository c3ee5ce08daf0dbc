/** The popup's calls to the background, typed per operation. */
import type { BrowserApi } from '../lib/browser-api.js';
import { POPUP_MESSAGE_TYPE, type PopupErrorPayload, type PopupReply, type PopupRequest, type PopupResults } from './messages.js';

type Without<R> = R extends { type: string } ? Omit<R, 'type'> : never;
export type PopupCall = Without<PopupRequest>;

export type BackgroundCaller = <Op extends PopupRequest['op']>(request: Extract<PopupCall, { op: Op }>) => Promise<PopupReply<PopupResults[Op]>>;

/** Wraps sendRuntimeMessage; a background that does not answer becomes an error reply, never a throw. */
export function backgroundCaller(api: Pick<BrowserApi, 'sendRuntimeMessage'>): BackgroundCaller {
  return async (request) => {
    try {
      const reply = (await api.sendRuntimeMessage({ type: POPUP_MESSAGE_TYPE, ...request })) as PopupReply<never> | undefined;
      if (reply && typeof reply === 'object' && 'ok' in reply) return reply;
      return { ok: false, error: noAnswer('The background did not answer') };
    } catch (e) {
      return { ok: false, error: noAnswer(e instanceof Error ? e.message : String(e)) };
    }
  };
}

function noAnswer(message: string): PopupErrorPayload {
  return { code: 'ERR_WEBEID_EXTENSION_UNAVAILABLE', bridgeCode: 'INTERNAL_ERROR', message };
}
