// Retry-After as the transport reads it: seconds or an HTTP date, never
// negative, and never longer than a day (a misconfigured proxy's year would
// otherwise silence the page while its capped queue drops signals).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../src/transport.js';

const now = Date.UTC(2026, 11, 7);

test('Retry-After in seconds or as a date, clamped to [0, a day]', () => {
  assert.equal(MAX_RETRY_AFTER_MS, 24 * 3600 * 1000);
  const cases = [
    [null, 0], ['', 0], ['soon', 0], ['120', 120_000], ['1.5', 1_500],
    ['0', 0], ['-5', 0], ['31536000', MAX_RETRY_AFTER_MS],
    ['Mon, 07 Dec 2026 00:02:00 GMT', 120_000],
    ['Sun, 06 Dec 2026 23:00:00 GMT', 0],  // already past
    ['Fri, 01 Jan 2100 00:00:00 GMT', MAX_RETRY_AFTER_MS],
  ];
  for (const [header, expected] of cases) {
    assert.equal(retryAfterMs(header, now), expected, JSON.stringify(header));
  }
});
