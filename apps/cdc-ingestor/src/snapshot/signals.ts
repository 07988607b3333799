/**
 * Signals written to the signal table (Debezium's `signal.data.collection`): rows of
 * (id, type, data) whose `data` is JSON. The ingestor reads them from the stream, so a signal
 * takes effect at its place in the log.
 */
export type Signal =
  | { kind: 'execute-snapshot'; id: string; tables: string[] }
  | { kind: 'stop-snapshot'; id: string; tables: string[] }
  | { kind: 'pause-snapshot'; id: string }
  | { kind: 'resume-snapshot'; id: string }
  | { kind: 'log'; id: string; message: string };

/** A signal row that cannot be acted on, and why. */
export class SignalError extends Error {}

/** The DDL of a signal table Debezium's tools also write to. */
export function signalTableDdl(name: string): string {
  return `CREATE TABLE ${name} (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048) NULL)`;
}

export function parseSignal(id: string | null, type: string | null, data: string | null): Signal {
  if (id === null || id === '') throw new SignalError('a signal needs an id');
  let body: Record<string, unknown> = {};
  if (data !== null && data.trim() !== '') {
    try {
      const parsed = JSON.parse(data) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new SignalError(`signal ${id}: data must be a JSON object`);
      body = parsed as Record<string, unknown>;
    } catch (error) {
      if (error instanceof SignalError) throw error;
      throw new SignalError(`signal ${id}: data is not JSON: ${(error as Error).message}`);
    }
  }
  switch (type) {
    case 'execute-snapshot':
    case 'stop-snapshot': {
      const kind = body.type ?? 'incremental';
      if (typeof kind !== 'string' || kind.toLowerCase() !== 'incremental')
        throw new SignalError(
          `signal ${id}: only incremental snapshots are supported, not "${String(kind)}"`,
        );
      const tables = body['data-collections'] ?? [];
      if (!Array.isArray(tables) || tables.some((t) => typeof t !== 'string'))
        throw new SignalError(`signal ${id}: data-collections must be an array of table names`);
      if (type === 'execute-snapshot' && tables.length === 0)
        throw new SignalError(`signal ${id}: execute-snapshot names no data-collections`);
      return { kind: type, id, tables: tables as string[] };
    }
    case 'pause-snapshot':
    case 'resume-snapshot':
      return { kind: type, id };
    case 'log':
      return { kind: 'log', id, message: typeof body.message === 'string' ? body.message : '' };
    default:
      throw new SignalError(`signal ${id}: unknown type "${type}"`);
  }
}

/**
 * Which captured tables a signal's data-collections name: each is a regular expression matched
 * against the whole `schema.table` name, as Debezium reads them.
 */
export function tablesNamed(patterns: readonly string[], captured: readonly string[]): string[] {
  const expressions = patterns.map((p) => {
    try {
      return new RegExp(`^(?:${p})$`);
    } catch (error) {
      throw new SignalError(
        `data collection "${p}" is not a regular expression: ${(error as Error).message}`,
      );
    }
  });
  return captured.filter((name) => expressions.some((e) => e.test(name)));
}
