/**
 * The Pushgateway client, for batch jobs that end before Prometheus would scrape them: push
 * (PUT, replaces the group), push-add (POST, replaces the pushed families of the group) and delete
 * (DELETE, removes the group), as Python's push_to_gateway, pushadd_to_gateway and
 * delete_from_gateway.
 */
import { PROTOBUF_CONTENT_TYPE } from '../exposition/protobuf.js';
import { now } from '../instrument/clock.js';
import { pushBody } from './body.js';
import { PushgatewayError } from './error.js';
import { resolveGatewayCall, type GatewayOptions, type PushOptions } from './options.js';
import { sendToGateway } from './request.js';

export { PushgatewayError } from './error.js';
export type { GatewayOptions, PushOptions, PushTlsOptions } from './options.js';

type Method = 'PUT' | 'POST' | 'DELETE';

/**
 * One call: checks its arguments, collects and renders the body (not for DELETE), sends it and
 * reads the answer, all within `timeoutMs`; anything but a 2xx answer rejects. An invalid argument
 * or a failed collection rejects before anything is sent.
 */
async function useGateway(fn: string, method: Method, gatewayUrl: unknown, options: unknown): Promise<void> {
  const started = now();
  const call = resolveGatewayCall(fn, gatewayUrl, options, method !== 'DELETE');
  const body = method === 'DELETE' ? undefined : await pushBody(call.registry, call.timeoutMs);
  const headers = body === undefined ? call.headers : { ...call.headers, 'content-type': PROTOBUF_CONTENT_TYPE };
  // Collecting used part of the time; the request gets the rest (at least 1 ms, so it is still tried).
  const timeoutMs = Math.max(1, call.timeoutMs - (now() - started));
  const answer = await sendToGateway({
    fn,
    method,
    url: call.url,
    headers,
    body,
    tls: call.tls,
    timeoutMs,
    callTimeoutMs: call.timeoutMs,
  });
  if (answer.status >= 200 && answer.status < 300) return;
  const said = answer.body.trim() === '' ? '(an empty body)' : answer.body.trim();
  throw new PushgatewayError(
    `${fn}: ${method} ${call.url.href} answered ${answer.status} ${answer.statusText}: ${said}`,
    method,
    call.url.href,
    answer.status,
    answer.body,
  );
}

/**
 * Pushes the registry's metrics to a Pushgateway, replacing every metric of the group (`job` and
 * `groupingKey`): HTTP PUT, as Python's `push_to_gateway`. The body is the protobuf delimited
 * format, without created timestamps.
 *
 * ```ts
 * await pushToGateway('http://localhost:9091', { job: 'nightly_backup', registry });
 * ```
 *
 * @param gatewayUrl - the gateway, `http(s)://host:port`, possibly with a path prefix (`http://host/pgw`);
 *   without a scheme, `http://` is meant.
 * @returns a promise that resolves once the gateway answers 2xx. It rejects with a TypeError or
 *   RangeError naming the bad argument (nothing is sent); with the registry's CollectionError
 *   (nothing is sent); with a {@link PushgatewayError} naming the status and the gateway's answer
 *   for any other status, and naming the URL and the cause when the gateway cannot be reached or
 *   does not answer within `timeoutMs`.
 */
export function pushToGateway(gatewayUrl: string | URL, options: PushOptions): Promise<void> {
  return useGateway('pushToGateway', 'PUT', gatewayUrl, options);
}

/**
 * Pushes the registry's metrics to a Pushgateway, replacing only the metric families it pushes
 * (by name) in the group and keeping the group's others: HTTP POST, as Python's
 * `pushadd_to_gateway`. Arguments, body and outcomes as {@link pushToGateway}.
 */
export function pushAddToGateway(gatewayUrl: string | URL, options: PushOptions): Promise<void> {
  return useGateway('pushAddToGateway', 'POST', gatewayUrl, options);
}

/**
 * Deletes the group (`job` and `groupingKey`) and all its metrics from a Pushgateway: HTTP DELETE,
 * as Python's `delete_from_gateway`. Deleting a group that does not exist succeeds. Outcomes as
 * {@link pushToGateway}.
 */
export function deleteFromGateway(gatewayUrl: string | URL, options: GatewayOptions): Promise<void> {
  return useGateway('deleteFromGateway', 'DELETE', gatewayUrl, options);
}
