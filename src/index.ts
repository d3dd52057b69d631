import { isPostStep } from './process/saved-state.js';

// One bundle serves runs.main and runs.post. The post step only removes a folder, so it loads
// none of main's modules (undici, the registry client): each import costs start-up time.
if (isPostStep()) {
  const { post } = await import('./post.js');
  await post();
} else {
  const { run } = await import('./main.js');
  await run();
}
