/** The OpenSearch engine the bench indexes into, if it answers. */

/** Why OpenSearch at `url` cannot be used, or undefined when it answers. */
export async function openSearchUnavailable(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return `OpenSearch at ${url} answered ${response.status}`;
    const health = (await response.json()) as { status?: string };
    return health.status === 'red' ? `OpenSearch at ${url} is red` : undefined;
  } catch (error) {
    return `OpenSearch at ${url} does not answer (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Deletes every index whose name starts with `prefix` (the bench's own, never anyone else's). */
export async function deleteIndexes(url: string, prefix: string): Promise<void> {
  const response = await fetch(`${url}/_cat/indices/${prefix}*?format=json&h=index`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) return;
  const indexes = ((await response.json()) as { index: string }[])
    .map((row) => row.index)
    .filter((name) => name.startsWith(prefix));
  if (indexes.length === 0) return;
  await fetch(`${url}/${indexes.join(',')}`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
}
