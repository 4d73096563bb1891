import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  date: 'a date',
  bigint: 'an integer',
};

const FORMAT_NAMES: Record<string, string> = {
  email: 'a valid email',
  uuid: 'a valid UUID',
  guid: 'a valid UUID',
  url: 'a valid URL',
  datetime: 'an ISO-8601 date-time',
  date: 'an ISO-8601 date (YYYY-MM-DD)',
  time: 'an ISO-8601 time',
  duration: 'an ISO-8601 duration',
};

const quote = (values: readonly unknown[]): string => values.map((v) => String(v)).join(', ');

/**
 * Short messages that read after a field name ("email must be a valid email"). Passed per parse, so a
 * message written on a schema itself still wins.
 */
export const fieldMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_format':
      return `must be ${FORMAT_NAMES[issue.format] ?? `a valid ${issue.format}`}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${quote(issue.values)}`
        : `must be one of: ${quote(issue.values)}`;
    case 'invalid_union': {
      const options: unknown = issue.options;
      return issue.discriminator !== undefined && Array.isArray(options)
        ? `must be one of: ${quote(options)}`
        : undefined;
    }
    case 'too_small':
      return boundMessage('least', issue.origin, issue.minimum, issue.inclusive !== false);
    case 'too_big':
      return boundMessage('most', issue.origin, issue.maximum, issue.inclusive !== false);
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
};

function boundMessage(
  side: 'least' | 'most',
  origin: string,
  bound: number | bigint,
  inclusive: boolean,
): string | undefined {
  if (origin === 'string') {
    if (side === 'least' && Number(bound) === 1) return 'must not be empty';
    return `must be at ${side} ${bound} characters long`;
  }
  if (origin === 'array' || origin === 'set') return `must contain at ${side} ${bound} items`;
  if (origin === 'number' || origin === 'int' || origin === 'bigint') {
    if (inclusive) return `must be at ${side} ${bound}`;
    return `must be ${side === 'least' ? 'greater' : 'less'} than ${bound}`;
  }
  return undefined;
}

/** "lineItems.0.quantity"; the root of the parsed value is named by `root`. */
export const fieldPath = (path: readonly PropertyKey[], root: string): string =>
  path.length === 0 ? root : path.map((segment) => String(segment)).join('.');

/** One message per field (the first zod reports); unknown keys become one entry each. */
export function issueDetails(issues: readonly Issue[], root: string): Record<string, string> {
  const details: Record<string, string> = {};
  const add = (path: readonly PropertyKey[], message: string): void => {
    const key = fieldPath(path, root);
    if (!(key in details)) details[key] = message;
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key], 'is not allowed');
    } else {
      add(issue.path, issue.message);
    }
  }
  return details;
}

/** An unknown enum (or discriminator) value, which the contract calls an invalid argument. */
export const isUnknownValue = (issue: Issue): boolean =>
  issue.code === 'invalid_value' || (issue.code === 'invalid_union' && issue.discriminator !== undefined);
