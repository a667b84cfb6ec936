// User-facing errors: one line that says what is wrong, where, and how to fix it.
// Anything that is not a UserError is a bug and is reported with a stack trace under --verbose.

export class UserError extends Error {
  /** Where the problem is (file:line:col, file:row:column, a key path, a run id). */
  readonly where?: string;
  /** How to fix it. */
  readonly hint?: string;

  constructor(message: string, opts: { where?: string; hint?: string } = {}) {
    super(message);
    this.name = 'UserError';
    this.where = opts.where;
    this.hint = opts.hint;
  }

  /** The single line shown to the user. */
  oneLine(): string {
    const where = this.where ? `${this.where}: ` : '';
    const hint = this.hint ? ` (${this.hint})` : '';
    return `${where}${this.message}${hint}`.replace(/\s*\n\s*/g, ' ');
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
