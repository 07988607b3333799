/** A bare REST caller for tests: what a client sends, what the server answers, nothing hidden. */
export interface Answer {
  status: number;
  body: unknown;
}

export async function call(baseUrl: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // the /schema endpoints answer with the schema text itself
  }
  return { status: response.status, body: parsed };
}

/** Calls and expects 200, returning the body; otherwise fails with what came back. */
export async function ok<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const answer = await call(baseUrl, method, path, body);
  if (answer.status !== 200)
    throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}
