import {
  findMessage,
  messageAtIndexes,
  messageIndexesOf,
  ProtobufSchemaError,
  parseProtobufSchema,
} from './protobuf-schema';
import type { ResolvedReference } from './schema-types';

const money: ResolvedReference = {
  name: 'common/money.proto',
  subject: 'money',
  version: 1,
  schema: 'syntax = "proto3";\npackage common;\nmessage Money { int64 units = 1; string currency = 2; }\n',
  references: [],
};

const shop = `syntax = "proto3";
package shop;
import "common/money.proto";
import "google/protobuf/timestamp.proto";

enum Status { UNKNOWN = 0; PAID = 1; }

message Customer { string name = 1; }

message Order {
  enum Kind { RETAIL = 0; }
  message Line {
    string sku = 1;
    message Discount { int32 percent = 1; }
    Discount discount = 2;
  }
  message Shipping { string address = 1; }
  int64 id = 1;
  repeated Line lines = 2;
  common.Money total = 3;
  google.protobuf.Timestamp placed_at = 4;
}
`;

describe('Protobuf message indexes', () => {
  const schema = parseProtobufSchema(shop, [money]);

  it.each([
    ['Customer', [0]],
    ['Order', [1]],
    ['Order.Line', [1, 0]],
    ['Order.Line.Discount', [1, 0, 0]],
    ['Order.Shipping', [1, 1]],
    ['.shop.Order.Shipping', [1, 1]],
    ['shop.Order', [1]],
  ])('%s is at %j (enums do not count) and back', (name, indexes) => {
    const type = findMessage(schema, name);
    expect(messageIndexesOf(schema, type)).toEqual(indexes);
    expect(messageAtIndexes(schema, indexes)).toBe(type);
  });

  it('takes the first message when no name is given', () => {
    expect(findMessage(schema).fullName).toBe('.shop.Customer');
  });

  it('lists only the schema own file messages, not those of its imports', () => {
    expect(schema.messages.map((m) => m.name)).toEqual(['Customer', 'Order']);
    expect(() => messageIndexesOf(schema, findMessage(schema, 'common.Money'))).toThrow(
      /common\.Money is not declared in the schema's own file/,
    );
  });

  it('keeps the file order when an import shares the package', () => {
    const sibling: ResolvedReference = {
      name: 'shop/first.proto',
      subject: 'first',
      version: 1,
      schema: 'syntax = "proto3";\npackage shop;\nmessage Imported { string x = 1; }\n',
      references: [],
    };
    const parsed = parseProtobufSchema(
      'syntax = "proto3";\npackage shop;\nimport "shop/first.proto";\nmessage A { Imported i = 1; }\nmessage B {}\n',
      [sibling],
    );
    expect(messageIndexesOf(parsed, findMessage(parsed, 'B'))).toEqual([1]);
  });

  it.each([[[2]], [[1, 5]], [[0, 0]]])('refuses indexes %j that name no message', (indexes) => {
    expect(() => messageAtIndexes(schema, indexes)).toThrow(ProtobufSchemaError);
  });
});

describe('parseProtobufSchema', () => {
  it('resolves imports of imports through nested references', () => {
    const order: ResolvedReference = {
      name: 'shop/order.proto',
      subject: 'order',
      version: 2,
      schema:
        'syntax = "proto3";\npackage shop;\nimport "common/money.proto";\nmessage Order { common.Money total = 1; }\n',
      references: [money],
    };
    const parsed = parseProtobufSchema(
      'syntax = "proto3";\npackage events;\nimport "shop/order.proto";\nmessage OrderPlaced { shop.Order order = 1; }\n',
      [order],
    );
    expect(findMessage(parsed).fields.order?.resolvedType?.fullName).toBe('.shop.Order');
  });

  it('says which import is missing', () => {
    expect(() => parseProtobufSchema(shop)).toThrow(
      new ProtobufSchemaError(
        'import "common/money.proto" is neither a reference of the schema nor a well-known type',
      ),
    );
  });

  it('says which file does not parse', () => {
    expect(() => parseProtobufSchema(shop, [{ ...money, schema: 'message {' }])).toThrow(
      /imported file "common\/money.proto"/,
    );
  });

  it('refuses a type that is nowhere', () => {
    expect(() => parseProtobufSchema('syntax = "proto3";\nmessage A { Missing m = 1; }')).toThrow(
      ProtobufSchemaError,
    );
  });
});
