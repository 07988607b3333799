import type { ParsedSchema, ResolvedReference, SchemaFormat } from '../schema-format';
import { Checker } from './content-checker';
import { canonicalize, type Json, Loader, type Schema } from './schema-loader';
/**
 * JSON Schema compatibility in the manner of Confluent's JSON Schema checker: a reader can read a
 * writer's data when the writer's schema is at least as restrictive as the reader's, judged keyword
 * by keyword with the open / closed / partially open content models for properties and items.
 */

export interface JsonSchema extends ParsedSchema {
  readonly type: 'JSON';
  /** The root schema, every `$ref` rewritten to `<document key>#<pointer>`. */
  readonly schema: Schema;
  /** The root and every referenced document, by document key. */
  readonly documents: ReadonlyMap<string, Schema>;
}

let parseCount = 0;

export const jsonSchemaFormat: SchemaFormat<JsonSchema> = {
  type: 'JSON',

  parse(text: string, references: readonly ResolvedReference[]): JsonSchema {
    const id = ++parseCount;
    const loader = new Loader(id);
    const rootKey = `${id}:`;
    const schema = loader.load(text, rootKey, 'schema', references);
    loader.verify();
    return {
      type: 'JSON',
      canonical: canonicalize(JSON.parse(text) as Json),
      schema,
      documents: loader.documents,
    };
  },

  readerIncompatibilities(reader: JsonSchema, writer: JsonSchema): string[] {
    const documents = new Map([...reader.documents, ...writer.documents]);
    return new Checker(documents).compare(reader.schema, writer.schema, '#');
  },
};
