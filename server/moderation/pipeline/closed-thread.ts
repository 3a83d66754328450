import { errors } from '../../errors';
import type { Rule } from './types';

export const closedThread: Rule = {
  name: 'closed_thread',
  run: ({ thread }) =>
    thread.state === 'closed'
      ? { refuse: errors.forbidden('thread_closed', 'Commenting on this article is closed.') }
      : undefined,
};
