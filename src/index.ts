import { getState } from '@actions/core';
import { State } from './names.js';

// One bundle serves runs.main and runs.post. The post step only removes a folder, so it loads
// none of main's modules (undici, the registry client): each import costs start-up time.
if (getState(State.IsPost) === 'true') {
  const { post } = await import('./post.js');
  await post();
} else {
  const { run } = await import('./main.js');
  await run();
}
