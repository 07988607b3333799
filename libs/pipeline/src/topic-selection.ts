/**
 * Which topics a sink consumes: a list of names, or a regular expression every topic name is
 * matched against whole (as Kafka Connect's `topics.regex`). A pattern never matches the
 * pipeline's own dead-letter topics, internal topics (`__…`) or Debezium's transaction topic
 * (`<prefix>.transaction`), which carry no table changes; a list may still name them.
 */
export class TopicSelection {
  private constructor(
    private readonly names: ReadonlySet<string> | undefined,
    private readonly pattern: RegExp | undefined,
    readonly description: string,
  ) {}

  static list(names: readonly string[]): TopicSelection {
    return new TopicSelection(new Set(names), undefined, names.join(','));
  }

  /** Throws SyntaxError when `source` is not a valid regular expression. */
  static pattern(source: string): TopicSelection {
    return new TopicSelection(undefined, new RegExp(`^(?:${source})$`), source);
  }

  /** From a `--topics` value: a pattern when it has a regex metacharacter other than `.`, or
   * when it is one name containing `.*`; else a comma-separated list. */
  static parse(value: string): TopicSelection {
    if (/[\\*+?()[\]{}|^$]/.test(value)) return TopicSelection.pattern(value);
    return TopicSelection.list(
      value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    );
  }

  get isPattern(): boolean {
    return this.pattern !== undefined;
  }

  matches(topic: string): boolean {
    if (this.names !== undefined) return this.names.has(topic);
    if (topic.startsWith('__') || /\.dlq\.[^.]+$/.test(topic) || topic.endsWith('.transaction')) return false;
    return this.pattern!.test(topic);
  }

  /** The topics among `existing` this selection takes, sorted. */
  select(existing: Iterable<string>): string[] {
    return [...existing].filter((topic) => this.matches(topic)).sort();
  }
}
