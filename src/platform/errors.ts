/**
 * Typed errors with stable codes. The HTTP error funnel turns them into a GOV.UK error page
 * or application/problem+json; the CLI prints their message on one line.
 */
export interface FieldError {
  /** The form field or JSON pointer the error is about, e.g. "email" or "/scopes". */
  readonly field: string;
  readonly message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: string;
  readonly title: string;

  constructor(status: number, code: string, title: string, message?: string) {
    super(message ?? title);
    this.status = status;
    this.code = code;
    this.title = title;
  }
}

export class ValidationError extends AppError {
  readonly errors: readonly FieldError[];
  constructor(errors: readonly FieldError[], message = 'There is a problem with what was sent') {
    super(400, 'validation_failed', 'There is a problem', message);
    this.errors = errors;
  }

  static of(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }], message);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in to continue') {
    super(401, 'unauthenticated', 'You need to sign in', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to do this') {
    super(403, 'forbidden', 'You do not have permission', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'The page or item you asked for does not exist, or you cannot see it') {
    super(404, 'not_found', 'Page not found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, 'conflict', 'That conflicts with something that already exists', message);
  }
}

export class TooManyRequestsError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(429, 'too_many_requests', 'Too many attempts', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A change to a versioned resource sent without `If-Match` (RFC 6585). */
export class PreconditionRequiredError extends AppError {
  constructor(message = 'Send the ETag you last read as an If-Match header, so changes made since are not lost') {
    super(428, 'precondition_required', 'If-Match is required', message);
  }
}

/** A change based on a version that is no longer current: someone else changed it first. */
export class PreconditionFailedError extends AppError {
  constructor(message = 'This item has changed since you read it. Read it again and reapply your change') {
    super(412, 'precondition_failed', 'The item has changed', message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'This form does not take file uploads: send it as an ordinary form') {
    super(415, 'unsupported_media_type', 'Unsupported content type', message);
  }
}
