"""Confluent's Python client (confluent-kafka) against a schema registry.

Usage: python confluent_python_client.py <registry-url> <run-id>

Runs each step against the registry and prints one JSON object on stdout: for each step,
{"ok": true, "result": ...} or {"ok": false, "error": ...} with the registry's HTTP status,
error code and message when the registry refused. A step's failure does not stop the others,
so one run shows every difference from Confluent's Schema Registry.
"""

import json
import sys
import traceback

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.json_format import MessageToDict

AVRO_V1 = {
    "type": "record",
    "name": "User",
    "namespace": "trunkline.test",
    "fields": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"}],
}
AVRO_V2 = {**AVRO_V1, "fields": AVRO_V1["fields"] + [{"name": "email", "type": "string", "default": "none"}]}
AVRO_BREAKING = {**AVRO_V1, "fields": AVRO_V2["fields"] + [{"name": "age", "type": "int"}]}

JSON_V1 = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Event",
    "type": "object",
    "properties": {"kind": {"type": "string"}, "count": {"type": "integer"}},
    "required": ["kind"],
    "additionalProperties": False,
}

PROTO_TEXT = """syntax = "proto3";
package trunkline.test;

message Shipment {
  string id = 1;
  int32 weight = 2;
}
"""


def context(topic):
    return SerializationContext(topic, MessageField.VALUE)


def proto_messages():
    """Order (in trunkline/test/order.proto) with an Address from trunkline/test/address.proto,
    built from descriptors at run time: what protoc's generated _pb2 modules do."""
    field = descriptor_pb2.FieldDescriptorProto
    address = descriptor_pb2.FileDescriptorProto(
        name="trunkline/test/address.proto", package="trunkline.test", syntax="proto3"
    )
    message = address.message_type.add(name="Address")
    message.field.add(name="street", number=1, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    message.field.add(name="city", number=2, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)

    order = descriptor_pb2.FileDescriptorProto(
        name="trunkline/test/order.proto",
        package="trunkline.test",
        syntax="proto3",
        dependency=["trunkline/test/address.proto"],
    )
    message = order.message_type.add(name="Order")
    message.field.add(name="id", number=1, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    message.field.add(name="quantity", number=2, type=field.TYPE_INT32, label=field.LABEL_OPTIONAL)
    message.field.add(
        name="ship_to",
        number=3,
        type=field.TYPE_MESSAGE,
        type_name=".trunkline.test.Address",
        label=field.LABEL_OPTIONAL,
    )

    pool = descriptor_pool.DescriptorPool()
    pool.Add(address)
    pool.Add(order)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("trunkline.test.Order"))


def shipment_message():
    """The message PROTO_TEXT declares, built from a descriptor."""
    field = descriptor_pb2.FieldDescriptorProto
    shipment = descriptor_pb2.FileDescriptorProto(
        name="trunkline/test/shipment.proto", package="trunkline.test", syntax="proto3"
    )
    message = shipment.message_type.add(name="Shipment")
    message.field.add(name="id", number=1, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    message.field.add(name="weight", number=2, type=field.TYPE_INT32, label=field.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(shipment)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("trunkline.test.Shipment"))


def failure(error):
    if isinstance(error, SchemaRegistryError):
        return {
            "type": "SchemaRegistryError",
            "http_status": error.http_status_code,
            "error_code": error.error_code,
            "message": error.error_message,
        }
    cause = error.__cause__ or error.__context__
    return {
        "type": type(error).__name__,
        "message": str(error),
        **({"cause": failure(cause)} if cause is not None else {}),
        "trace": traceback.format_exception(error)[-3:],
    }


def main(url, run):
    summary = {}

    def step(name, action):
        try:
            summary[name] = {"ok": True, "result": action()}
        except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
            summary[name] = {"ok": False, "error": failure(error)}

    client = SchemaRegistryClient({"url": url})
    fresh = lambda: SchemaRegistryClient({"url": url})  # noqa: E731 - an empty cache each time

    # --- Avro: serializer registers v1, a v2 reader decodes v1 records -----------------------
    avro_topic = f"py-users-{run}"
    avro_subject = f"{avro_topic}-value"
    records = {}

    def avro_round_trip():
        serializer = AvroSerializer(client, json.dumps(AVRO_V1))
        records["avro_v1"] = serializer({"id": 7, "name": "Ada"}, context(avro_topic))
        decoded = AvroDeserializer(fresh())(records["avro_v1"], context(avro_topic))
        return {
            "magic": records["avro_v1"][0],
            "id": int.from_bytes(records["avro_v1"][1:5], "big"),
            "decoded": decoded,
        }

    step("avro_round_trip", avro_round_trip)
    step("avro_set_compatibility", lambda: client.set_compatibility(avro_subject, "BACKWARD"))
    step("avro_get_compatibility", lambda: fresh().get_compatibility(avro_subject))

    def avro_evolve():
        v2 = Schema(json.dumps(AVRO_V2), "AVRO")
        compatible = client.test_compatibility(avro_subject, v2)
        v2_id = client.register_schema(avro_subject, v2)
        reader = AvroDeserializer(fresh(), json.dumps(AVRO_V2))
        return {
            "compatible": compatible,
            "v2_id": v2_id,
            "v1_record_as_v2": reader(records["avro_v1"], context(avro_topic)),
        }

    step("avro_evolve", avro_evolve)

    def avro_incompatible():
        breaking = Schema(json.dumps(AVRO_BREAKING), "AVRO")
        compatible = client.test_compatibility(avro_subject, breaking)
        try:
            client.register_schema(avro_subject, breaking)
        except SchemaRegistryError as error:
            return {"compatible": compatible, "rejected": failure(error)}
        return {"compatible": compatible, "rejected": None}

    step("avro_incompatible", avro_incompatible)

    def avro_lookup():
        found = fresh().lookup_schema(avro_subject, Schema(json.dumps(AVRO_V1), "AVRO"))
        return {"subject": found.subject, "version": found.version, "id": found.schema_id}

    step("avro_lookup_schema", avro_lookup)
    step("avro_get_versions", lambda: fresh().get_versions(avro_subject))

    def avro_latest():
        latest = fresh().get_latest_version(avro_subject)
        schema = fresh().get_schema(latest.schema_id)
        return {
            "version": latest.version,
            "id": latest.schema_id,
            "schema_type": schema.schema_type,
            "fields": [f["name"] for f in json.loads(schema.schema_str)["fields"]],
        }

    step("avro_get_latest_version", avro_latest)

    # --- JSON Schema ----------------------------------------------------------------------------
    json_topic = f"py-events-{run}"

    def json_round_trip():
        serializer = JSONSerializer(json.dumps(JSON_V1), client)
        record = serializer({"kind": "click", "count": 2}, context(json_topic))
        decoded = JSONDeserializer(None, schema_registry_client=fresh())(record, context(json_topic))
        try:
            serializer({"count": "two"}, context(json_topic))
            invalid = None
        except Exception as error:  # noqa: BLE001
            invalid = type(error).__name__
        registered = fresh().get_latest_version(f"{json_topic}-value")
        return {
            "id": int.from_bytes(record[1:5], "big"),
            "decoded": decoded,
            "invalid_rejected_with": invalid,
            "schema_type": registered.schema.schema_type,
        }

    step("json_round_trip", json_round_trip)

    # --- Protobuf: a .proto text schema through the client --------------------------------------
    proto_subject = f"py-shipments-{run}-value"

    def proto_text():
        schema = Schema(PROTO_TEXT, "PROTOBUF")
        schema_id = client.register_schema(proto_subject, schema)
        found = fresh().lookup_schema(proto_subject, schema)
        stored = fresh().get_schema(schema_id)
        return {
            "id": schema_id,
            "lookup_version": found.version,
            "lookup_id": found.schema_id,
            "schema_type": stored.schema_type,
            "same_text": stored.schema_str.strip() == PROTO_TEXT.strip(),
        }

    step("protobuf_register_lookup_get", proto_text)

    def proto_deserialize_text_schema():
        # A record a Confluent serializer writes with the .proto text schema registered above:
        # magic byte, schema id, message index [0] (one 0 byte), then the message.
        found = fresh().lookup_schema(proto_subject, Schema(PROTO_TEXT, "PROTOBUF"))
        Shipment = shipment_message()  # noqa: N806 - a message class
        payload = Shipment(id="s-1", weight=12).SerializeToString()
        record = b"\x00" + found.schema_id.to_bytes(4, "big") + b"\x00" + payload
        decoded = ProtobufDeserializer(Shipment, {"use.deprecated.format": False}, fresh())(
            record, context(f"py-shipments-{run}")
        )
        return MessageToDict(decoded)

    step("protobuf_deserialize_text_schema", proto_deserialize_text_schema)

    # --- Protobuf: the serializer registers the file and its import as a reference --------------
    proto_topic = f"py-orders-{run}"
    Order = proto_messages()  # noqa: N806 - a message class

    def proto_round_trip():
        serializer = ProtobufSerializer(Order, client, {"use.deprecated.format": False})
        order = Order(id="o-1", quantity=3)
        order.ship_to.street = "1 Main St"
        order.ship_to.city = "Oslo"
        record = serializer(order, context(proto_topic))
        decoded = ProtobufDeserializer(Order, {"use.deprecated.format": False}, fresh())(
            record, context(proto_topic)
        )
        latest = fresh().get_latest_version(f"{proto_topic}-value")
        return {
            "id": int.from_bytes(record[1:5], "big"),
            "decoded": MessageToDict(decoded),
            "references": [
                {"name": r.name, "subject": r.subject, "version": r.version} for r in latest.schema.references
            ],
        }

    step("protobuf_round_trip_with_reference", proto_round_trip)

    # --- Subjects -------------------------------------------------------------------------------
    def delete():
        deleted = client.delete_subject(avro_subject)
        return {"deleted_versions": deleted, "subject_listed": avro_subject in fresh().get_subjects()}

    step("delete_subject", delete)
    step("delete_subject_permanent", lambda: client.delete_subject(avro_subject, permanent=True))

    def after_delete():
        try:
            fresh().get_versions(avro_subject)
        except SchemaRegistryError as error:
            return failure(error)
        return None

    step("get_versions_after_delete", after_delete)

    json.dump(summary, sys.stdout, default=repr)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write("usage: confluent_python_client.py <registry-url> <run-id>\n")
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
