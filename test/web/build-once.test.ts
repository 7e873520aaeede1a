import { describe, expect, it } from 'vitest';
import { selectsNoBrowserTest } from './build-once.global.js';

describe('vitest globalSetup: web/dist is built only for runs that can select a browser test', () => {
  it('folders and files outside test/web skip the build', () => {
    expect(selectsNoBrowserTest(['run', 'test/engine', 'test/wire/hex.test.ts'])).toBe(true);
    expect(selectsNoBrowserTest(['run', '--reporter=default', '--reporter=json', '--outputFile.json=x.json', 'test/cli'])).toBe(true);
    expect(selectsNoBrowserTest(['run', './test/server'])).toBe(true);
  });

  it('no filter, a name filter, or anything under test/web builds', () => {
    expect(selectsNoBrowserTest(['run'])).toBe(false);
    expect(selectsNoBrowserTest(['run', '--reporter=json'])).toBe(false);
    expect(selectsNoBrowserTest(['run', 'test/engine', 'test/web/ui.e2e.test.ts'])).toBe(false);
    expect(selectsNoBrowserTest(['run', 'test/web'])).toBe(false);
    expect(selectsNoBrowserTest(['run', 'ui.e2e'])).toBe(false); // a file-name filter can match browser tests
    expect(selectsNoBrowserTest(['run', '-t', 'paused'])).toBe(false);
  });
});
