import { z } from 'zod';
import { SiteIdSchema } from '../sites/site.schema';
import { ThreadIdParam } from '../threads/thread.schema';

/** Socket inputs are validated like request bodies: the same messages, the same error shape. */
export const JoinThreadSchema = z.strictObject({
  threadId: ThreadIdParam,
  since: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});

export const LeaveThreadSchema = z.strictObject({ threadId: ThreadIdParam });

export const QueueJoinSchema = z.strictObject({ siteId: SiteIdSchema });
