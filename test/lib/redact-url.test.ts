import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrlCredentials } from '../../src/lib/redact-url.js';

const PASS = 'Pw9xQ7zK';

describe('redactUrlCredentials', () => {
  const cases: Array<[string, string]> = [
    [`ftp://user:${PASS}@host`, 'ftp://***@host'],
    [`https://user:${PASS}@host:8443/path`, 'https://***@host:8443/path'],
    [`https://${PASS}@host`, 'https://***@host'],
    [`user:${PASS}@host`, '***@host'],
    [`http://user:pa ss${PASS}@ho st`, 'http://***@ho st'],
    [`https://user:p@ss/w#rd${PASS}@host`, 'https://***@host'],
    [`http:/user:${PASS}@host`, '***@host'],
    [`http:\\\\user:${PASS}@host`, '***@host'],
    [`https://user:${PASS}`, 'https://user:***'],
    [`https://user:${PASS}/path`, 'https://user:***/path'],
    ['https://host:8443/x', 'https://host:8443/x'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
    ['https://vmc.vmware.com', 'https://vmc.vmware.com'],
    ['console.cloud.vmware.com', 'console.cloud.vmware.com'],
    ['', ''],
  ];
  for (const [input, want] of cases) it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.equal(redactUrlCredentials(input), want));
});
