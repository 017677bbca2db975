/** The base of every error this project throws on purpose; its message is one line a person can act on. */
export class AppError extends Error {
  override name = 'AppError';
}

/** The command line was wrong: an unknown option, a missing value, a bad rule parameter. */
export class UsageError extends AppError {
  override name = 'UsageError';
}

/** An input file cannot be used: unreadable, not JSON, or not a valid snapshot. */
export class InputError extends AppError {
  override name = 'InputError';
}
