/** A Matrix error answer: an HTTP status with a spec `errcode` and a human-readable message. */
export class MatrixError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The JSON body the spec's standard error response has. */
  body(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const forbidden = (message: string): MatrixError =>
  new MatrixError(403, "M_FORBIDDEN", message);
export const notFound = (message: string): MatrixError =>
  new MatrixError(404, "M_NOT_FOUND", message);
export const badJson = (message: string): MatrixError =>
  new MatrixError(400, "M_BAD_JSON", message);
export const invalidParam = (message: string): MatrixError =>
  new MatrixError(400, "M_INVALID_PARAM", message);
export const missingParam = (message: string): MatrixError =>
  new MatrixError(400, "M_MISSING_PARAM", message);
export const unrecognized = (status = 404): MatrixError =>
  new MatrixError(status, "M_UNRECOGNIZED", "Unrecognized request");
