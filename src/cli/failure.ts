/**
 * What a command that failed prints: one line naming the command and what went wrong.
 * The stack trace is for developers only: AMIME_DEBUG=1 prints it.
 */

/** An error whose message already tells the user what to do; exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function describeFailure(err: unknown, command: string | undefined, debug = debugEnabled()): string {
  const prefix = command ? `amime ${command}` : 'amime';
  const message = err instanceof Error ? err.message : String(err);
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return `${prefix}: ${message}${stack}`;
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AMIME_DEBUG === '1' || env.AMIME_DEBUG === 'true';
}
