import { apiName, kebabCase } from './api-names';
import type { ApiVersion, FixtureSet } from './fixture-set';

export interface StepFailure {
  step: string;
  message: string;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function versionsByApi(pairs: ApiVersion[]): string {
  const byApi = new Map<number, number[]>();
  for (const { apiKey, version } of pairs) byApi.set(apiKey, [...(byApi.get(apiKey) ?? []), version]);
  return [...byApi]
    .map(([apiKey, versions]) => `${kebabCase(apiName(apiKey))} v${versions.join(',')}`)
    .join('; ');
}

/** What was captured, from whom, and what went wrong, for people (stdout). */
export function summary(
  fixtures: FixtureSet,
  facts: { failures: StepFailure[]; problems: string[]; unanswered: string[]; seconds: number },
): string {
  const byApi = new Map<number, { versions: number[]; clients: string[] }>();
  for (const exchange of fixtures.exchanges()) {
    const row = byApi.get(exchange.apiKey) ?? { versions: [], clients: [] };
    row.versions.push(exchange.apiVersion);
    row.clients.push(`v${exchange.apiVersion} ${exchange.client}`);
    byApi.set(exchange.apiKey, row);
  }
  const rows = [
    ['api', 'key', 'versions captured', 'client'],
    ...[...byApi].map(([apiKey, row]) => [
      kebabCase(apiName(apiKey)),
      String(apiKey),
      row.versions.join(', '),
      row.clients.join(', '),
    ]),
  ];
  const lines = [table(rows), '', 'Answered requests by client (api versions, kept as fixtures or not):'];
  for (const [client, pairs] of fixtures.sentByClient()) lines.push(`  ${client}: ${versionsByApi(pairs)}`);
  const oversized = fixtures.onlyOversized();
  if (oversized.length > 0) lines.push('', `Not kept, every frame over 64 KiB: ${versionsByApi(oversized)}`);
  if (facts.unanswered.length > 0) {
    lines.push('', `Requests never answered (connection closed first): ${facts.unanswered.join('; ')}`);
  }
  for (const problem of facts.problems) lines.push(`Proxy: ${problem}`);
  for (const failure of facts.failures) lines.push('', `FAILED ${failure.step}:\n${failure.message}`);
  lines.push(
    '',
    `${fixtures.exchanges().length} request/response pairs captured in ${facts.seconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}
