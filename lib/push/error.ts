/** The error of a Pushgateway call that failed on the way or was answered with a non-2xx status. */

/**
 * A push, push-add or delete that failed: the gateway answered with a status other than 2xx
 * (`status` and `body` hold its answer), or no answer came (`status` is undefined; the timeout or
 * the connection failure is in the message and in `cause`). The message names the call, the
 * method, the URL and what went wrong, with the gateway's own answer where there is one.
 */
export class PushgatewayError extends Error {
  /**
   * @param method - the HTTP method: PUT (push), POST (push-add) or DELETE.
   * @param url - the group's URL on the gateway.
   * @param status - the gateway's status code; undefined when no answer came.
   * @param body - the gateway's answer body (its first 64 KiB); undefined when no answer came.
   */
  constructor(
    message: string,
    readonly method: string,
    readonly url: string,
    readonly status: number | undefined,
    readonly body: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PushgatewayError';
  }
}
