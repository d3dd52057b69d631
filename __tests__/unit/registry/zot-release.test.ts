import { describe, expect, test } from '@jest/globals';
import { createOnlyHole, releaseNumbers } from '../../../src/registry/zot-release.js';

// What a create-only policy protects on each zot release (the releases that fixed each hole).

describe('createOnlyHole', () => {
  test.each([
    ['v2.0.0', 'latest'],
    ['v2.1.14', 'latest'],
    ['v1.4.3', 'latest'],
    ['v2.1.15', undefined],
    ['v2.1.16', '?tag='],
    ['v2.1.18', '?tag='],
    ['v2.1.19', undefined],
    ['v2.1.20', undefined],
    ['v2.2.0', undefined],
    ['v3.0.0', undefined],
    ['v2.1.20-3-gbad36ee9', undefined],
    ['v2.1.14-rc1', 'latest'],
  ])('%s: %s', (release, hole) => {
    const said = createOnlyHole(release);
    if (hole === undefined) expect(said).toBeUndefined();
    else expect(said).toContain(hole);
  });

  test.each(['', 'main', 'v2.1', '2.1.14x', 'v2.1.0\n::error::x'])(
    '%j: no release it knows, no claim',
    (release) => {
      expect(releaseNumbers(release)).toBeUndefined();
      expect(createOnlyHole(release)).toBeUndefined();
    },
  );
});
