/** One thing a client does through the proxy; steps run one after another. */
export interface Step {
  /** kafkajs, kcat or java: the label its frames get. */
  readonly client: string;
  readonly name: string;
  run(context: StepContext): Promise<void>;
}

export interface StepContext {
  /** The proxy's address: every client connects here, and Kafka advertises it. */
  readonly bootstrap: string;
  /** Scratch space for files a tool reads (delete-records' JSON). */
  readonly workDir: string;
}
