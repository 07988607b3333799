const LEGAL = /^[a-zA-Z0-9._-]+$/;
const MAX_LENGTH = 249;

/** Kafka's topic name rule; undefined when legal, else why not (INVALID_TOPIC_EXCEPTION). */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > MAX_LENGTH) return `topic name is longer than ${MAX_LENGTH} characters`;
  if (!LEGAL.test(name))
    return `topic name "${name}" has characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return undefined;
}
