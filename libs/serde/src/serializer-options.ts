import type { SchemaRegistryClient } from './registry-client';
import type { SchemaDefinition } from './schema-types';

/** How a serializer gets the id of the schema it writes with. */
export interface SerializerOptions {
  /** Register the schema under the subject if it is not there yet (default true); false: only look it up. */
  readonly autoRegister?: boolean;
  /** Ask the registry to normalize the schema when registering it. */
  readonly normalize?: boolean;
}

/** The id of `definition` under `subject`: registered, or looked up when autoRegister is false. */
export async function schemaIdFor(
  client: SchemaRegistryClient,
  subject: string,
  definition: SchemaDefinition,
  options: SerializerOptions,
): Promise<number> {
  if (options.autoRegister === false) return (await client.lookup(subject, definition)).id;
  return client.register(subject, definition, { normalize: options.normalize });
}
