/** Exit codes are part of the CLI's contract (design.md); scripts depend on them. */
export const EXIT = {
  OK: 0,
  FLOWS_FAILED: 1,
  USAGE: 2,
  CHANGES: 3,
  DRIFT: 4,
  AUTH: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error meant for the user: printed as one line, no stack, with its exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.USAGE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, EXIT.USAGE);
}
