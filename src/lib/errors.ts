/** An error whose message is meant for the user as it is: one line naming the cause. */
export class LoginError extends Error {
  override readonly name = 'LoginError';
}

/** One line for anything thrown: a LoginError as written, anything else with its message and no stack. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : `unexpected failure: ${safeString(error)}`;
  const oneLine = text.replace(/\s*\r?\n\s*/g, ' ').trim();
  return oneLine.length > 0 ? oneLine : 'unexpected failure with no message';
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
