import type { InstanceIdentity } from '../leader/leader-elector';
import { errors, RegistryError } from '../registry/registry-error';

/** Marks a request one instance forwarded to another, so it is never forwarded twice. */
export const FORWARDED_HEADER = 'x-trunkline-forwarded';
/** On a write's response: the `_schemas` offset after it, so a follower can wait to read it. */
export const OFFSET_HEADER = 'x-trunkline-schemas-offset';

export interface ForwardedResponse {
  status: number;
  contentType: string;
  body: string;
  /** The leader's `_schemas` offset after the write, when it succeeded. */
  offset: number | undefined;
}

export class LeaderUnreachableError extends RegistryError {}

/** Sends a write to the leader as it came in and returns the leader's answer unchanged. */
export async function forwardToLeader(
  leader: InstanceIdentity,
  request: { method: string; pathAndQuery: string; body: Buffer },
  timeoutMs: number,
): Promise<ForwardedResponse> {
  let response: Response;
  try {
    response = await fetch(new URL(request.pathAndQuery, leader.url), {
      method: request.method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', [FORWARDED_HEADER]: '1' },
      ...(request.body.length > 0 ? { body: request.body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const message = `${leader.url}: ${cause?.code ?? (error as Error).message}`;
    // Nothing reached a leader that refused the connection: safe to try the next one.
    if (cause?.code === 'ECONNREFUSED')
      throw new LeaderUnreachableError(50003, errors.forwardingFailed(message).message);
    throw errors.forwardingFailed(message, error);
  }
  const offset = response.headers.get(OFFSET_HEADER);
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? 'application/vnd.schemaregistry.v1+json',
    body: await response.text(),
    offset: offset === null ? undefined : Number(offset),
  };
}
