import { describe, expect, it } from 'vitest';
import { FakeBrowser } from '../lib/testing/fakes.js';
import { TIMING_TRACE_KEY, TIMING_TRACE_RESULT_KEY, timingTrace } from './timing-trace.js';

describe('timing trace', () => {
  it('records nothing unless a developer turned it on, then stores the marks of the request just answered', async () => {
    const browser = new FakeBrowser();
    timingTrace.follow(browser.api);
    await new Promise((r) => setTimeout(r, 0));
    timingTrace.mark('dialog-submit-received');
    timingTrace.flush();
    await new Promise((r) => setTimeout(r, 0));
    expect(browser.storage[TIMING_TRACE_RESULT_KEY]).toBeUndefined();

    browser.storage[TIMING_TRACE_KEY] = true;
    timingTrace.follow(browser.api);
    await new Promise((r) => setTimeout(r, 0));
    const before = performance.timeOrigin + performance.now();
    timingTrace.mark('dialog-submit-received');
    timingTrace.mark('page-reply-posted');
    timingTrace.flush();
    await new Promise((r) => setTimeout(r, 0));
    const marks = browser.storage[TIMING_TRACE_RESULT_KEY] as Record<string, number>;
    expect(Object.keys(marks)).toEqual(['dialog-submit-received', 'page-reply-posted']);
    expect(marks['dialog-submit-received']).toBeGreaterThanOrEqual(before);
    expect(marks['page-reply-posted']).toBeGreaterThanOrEqual(marks['dialog-submit-received'] as number);
  });
});
