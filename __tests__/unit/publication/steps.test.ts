// The tools each plan's writes run, as the tools check asks for them before anything is built.
import { describe, expect, test } from '@jest/globals';
import { ASSEMBLE, BUILD, heldAt, type Plan, type Write } from '../../../src/publication/plan.js';
import { toolsFor } from '../../../src/publication/steps/index.js';
import type { ToolNeeds } from '../../../src/tools/job-image.js';

const HELD = heldAt(`sha256:${'1'.repeat(64)}`);
const planOf = (image: Plan['image'], writes: Write[]): Plan => ({ image, writes, reason: '' });

describe('toolsFor: buildx for what is built, skopeo for what is pushed or copied', () => {
  test.each<[string, Plan, ToolNeeds]>([
    [
      'a new build, both tags',
      planOf(BUILD, [{ step: 'commit-tag' }, { step: 'version-tag' }]),
      { buildx: true, skopeo: true },
    ],
    [
      'a new build, signed',
      planOf(BUILD, [{ step: 'commit-tag' }, { step: 'signature' }, { step: 'version-tag' }]),
      { buildx: true, skopeo: true },
    ],
    ['push: false, the engine alone', planOf(BUILD, [{ step: 'engine' }]), { buildx: true, skopeo: false }],
    [
      'push: false with the tags there already: still a build',
      planOf(HELD, [{ step: 'engine' }]),
      { buildx: true, skopeo: false },
    ],
    [
      'the version tag copied to a held image',
      planOf(HELD, [{ step: 'version-tag' }]),
      { buildx: false, skopeo: true },
    ],
    [
      'the commit tag copied to a held image',
      planOf(HELD, [{ step: 'commit-tag' }]),
      { buildx: false, skopeo: true },
    ],
    [
      'a signature alone, by the client',
      planOf(HELD, [{ step: 'signature' }]),
      { buildx: false, skopeo: false },
    ],
    ['nothing to write', planOf(HELD, []), { buildx: false, skopeo: false }],
    [
      "this job's part, then the index",
      planOf(ASSEMBLE, [
        { step: 'part', platform: 'linux/arm64' },
        { step: 'commit-tag' },
        { step: 'version-tag' },
      ]),
      { buildx: true, skopeo: true },
    ],
    [
      'the parts all there: the index by the client, the version tag prepared with skopeo',
      planOf(ASSEMBLE, [{ step: 'commit-tag' }, { step: 'version-tag' }]),
      { buildx: false, skopeo: true },
    ],
    [
      'the index alone, by the client',
      planOf(ASSEMBLE, [{ step: 'commit-tag' }]),
      { buildx: false, skopeo: false },
    ],
  ])('%s', (_, plan, needs) => {
    expect(toolsFor(plan)).toEqual(needs);
  });
});
