/**
 * A developer's timing trace of one page request through the background: when
 * the request came in, when the dialog window was asked for, opened and
 * connected, when it got the card's view, when the person's submit arrived,
 * when each host command left and its reply came back, when the page's answer
 * was posted. `npm run bench` turns it on (the
 * storage.local key TIMING_TRACE_KEY, set from an extension page) and reads the
 * last request's marks back from TIMING_TRACE_RESULT_KEY to split the time
 * between the person's PIN and the page's token hop by hop. Off, a mark is one
 * boolean test: nothing is recorded or written.
 *
 * Marks are wall-clock milliseconds (performance.timeOrigin + now()), so they
 * line up with marks taken in the dialog, the page and the host's log.
 */
import type { BrowserApi } from '../lib/browser-api.js';

export const TIMING_TRACE_KEY = 'developerTimingTrace';
export const TIMING_TRACE_RESULT_KEY = 'developerTimingTraceLast';

export type TimingMark =
  | 'page-request-received'
  | 'dialog-window-requested'
  | 'dialog-window-opened'
  | 'dialog-connected'
  | 'dialog-card-view-sent'
  | 'dialog-submit-received'
  | 'page-reply-posted'
  | `host-sent:${string}`
  | `host-replied:${string}`;

class TimingTrace {
  private enabled = false;
  private marks: Partial<Record<TimingMark, number>> = {};
  private api: Pick<BrowserApi, 'storageSet'> | undefined;

  /** Follows the storage key; called once when the background starts. */
  follow(api: Pick<BrowserApi, 'storageGet' | 'storageSet' | 'onStorageChanged'>): void {
    this.api = api;
    const read = () =>
      void api.storageGet([TIMING_TRACE_KEY]).then(
        (stored) => (this.enabled = stored[TIMING_TRACE_KEY] === true),
        () => (this.enabled = false),
      );
    read();
    api.onStorageChanged((keys) => {
      if (keys.includes(TIMING_TRACE_KEY)) read();
    });
  }

  mark(name: TimingMark): void {
    if (this.enabled) this.marks[name] = performance.timeOrigin + performance.now();
  }

  /** Stores the marks of the request just answered, after its answer left. */
  flush(): void {
    if (!this.enabled || !this.api) return;
    const marks = this.marks;
    this.marks = {};
    void this.api.storageSet({ [TIMING_TRACE_RESULT_KEY]: marks }).catch(() => undefined);
  }
}

export const timingTrace = new TimingTrace();
