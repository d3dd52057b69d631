import { describe, expect, test } from '@jest/globals';
import { sameContent } from '../../../src/image/content.js';

// Two configurations hold the same image when their layers, platform and runtime agree, whatever
// their labels and the times and history of their making.

const base = {
  architecture: 'amd64',
  os: 'linux',
  created: '2026-01-01T00:00:00Z',
  config: { Cmd: ['/hello'], Env: ['PATH=/bin'], Labels: { a: 'b' } },
  rootfs: { type: 'layers', diff_ids: ['sha256:' + '1'.repeat(64)] },
  history: [{ created_by: 'COPY' }],
};

describe('sameContent', () => {
  test.each<[string, Record<string, unknown>]>([
    [
      'other labels',
      { ...base, config: { ...base.config, Labels: { 'org.opencontainers.image.revision': 'x' } } },
    ],
    ['no labels at all', { ...base, config: { Cmd: ['/hello'], Env: ['PATH=/bin'] } }],
    ['another time and history', { ...base, created: '2027-01-01T00:00:00Z', history: [] }],
    [
      'the keys in another order',
      {
        rootfs: base.rootfs,
        config: { Env: ['PATH=/bin'], Cmd: ['/hello'] },
        os: 'linux',
        architecture: 'amd64',
      },
    ],
  ])('the same content with %s', (_, other) => {
    expect(sameContent(base, other)).toBe(true);
  });

  test.each<[string, Record<string, unknown>]>([
    ['another layer', { ...base, rootfs: { type: 'layers', diff_ids: ['sha256:' + '2'.repeat(64)] } }],
    [
      'one layer more',
      {
        ...base,
        rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, 'sha256:' + '2'.repeat(64)] },
      },
    ],
    ['another architecture', { ...base, architecture: 'arm64' }],
    ['another command', { ...base, config: { ...base.config, Cmd: ['/other'] } }],
    ['another environment', { ...base, config: { ...base.config, Env: ['PATH=/usr/bin'] } }],
  ])('other content with %s', (_, other) => {
    expect(sameContent(base, other)).toBe(false);
  });
});
