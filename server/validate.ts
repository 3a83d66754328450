import type { z } from 'zod';
import { errors } from './errors';

/** Parses input with a zod schema; every problem becomes one detail with its path. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw errors.validation(
    `The request ${where} is not valid.`,
    result.error.issues.map((issue) => ({
      path: issue.path.length ? issue.path.join('.') : where,
      message: issue.message,
    })),
  );
}
