import { AlterConfigs, DescribeConfigs, ErrorCode, IncrementalAlterConfigs } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { KafkaError } from '../kafka-error';
import { effectiveConfigs } from '../topics/topic-config';
import { defineHandler } from './handler';
import { itemResult } from './kafka-result';

const TOPIC = 2;
const BROKER = 4;
const TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

function brokerConfigs(state: BrokerState) {
  return [
    { name: 'auto.create.topics.enable', value: String(state.autoCreateTopics) },
    { name: 'num.partitions', value: String(state.topics.defaults.partitions) },
    { name: 'broker.id', value: String(state.nodeId) },
    { name: 'node.id', value: String(state.nodeId) },
  ];
}

export const describeConfigsHandler = defineHandler<typeof DescribeConfigs, BrokerState>({
  api: DescribeConfigs,
  versions: '0-4',
  handle(request, { state, version }) {
    const results = request.resources.map((resource) => {
      const wanted = (name: string) =>
        resource.configurationKeys === null || resource.configurationKeys.includes(name);
      if (resource.resourceType === TOPIC) {
        const topic = state.topics.topic(resource.resourceName);
        if (topic === undefined) {
          return {
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: `Topic '${resource.resourceName}' does not exist.`,
            resourceType: TOPIC,
            resourceName: resource.resourceName,
            configs: [],
          };
        }
        const configs = effectiveConfigs(topic.configs)
          .filter((c) => wanted(c.name))
          .map((c) => {
            const source = c.isDefault ? DEFAULT_CONFIG : TOPIC_CONFIG;
            return {
              name: c.name,
              value: c.value,
              readOnly: false,
              isDefault: c.isDefault,
              configSource: source,
              isSensitive: false,
              synonyms: request.includeSynonyms ? [{ name: c.name, value: c.value, source }] : [],
              configType: 0,
              documentation: null,
            };
          });
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: version >= 1 ? '' : null,
          resourceType: TOPIC,
          resourceName: topic.name,
          configs,
        };
      }
      if (resource.resourceType === BROKER) {
        const configs = brokerConfigs(state)
          .filter((c) => wanted(c.name))
          .map((c) => ({
            ...c,
            readOnly: true,
            isDefault: false,
            configSource: STATIC_BROKER_CONFIG,
            isSensitive: false,
            synonyms: [],
            configType: 0,
            documentation: null,
          }));
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: '',
          resourceType: BROKER,
          resourceName: resource.resourceName,
          configs,
        };
      }
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `resource type ${resource.resourceType} is not supported`,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        configs: [],
      };
    });
    return { throttleTimeMs: 0, results };
  },
});

/** Only topic configs can change; broker settings come from flags. */
function topicOnly(resourceType: number, name: string): void {
  if (resourceType !== TOPIC) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `only topic configs can be altered (resource type ${resourceType}, ${name})`,
    );
  }
}

export const alterConfigsHandler = defineHandler<typeof AlterConfigs, BrokerState>({
  api: AlterConfigs,
  versions: '0-2',
  async handle(request, { state }) {
    const responses = [];
    for (const resource of request.resources) {
      const result = await itemResult(async () => {
        topicOnly(resource.resourceType, resource.resourceName);
        const topic = state.topics.topic(resource.resourceName);
        if (topic === undefined)
          throw new KafkaError(
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            `Topic '${resource.resourceName}' does not exist.`,
          );
        // AlterConfigs replaces the whole set of overrides.
        const changes: Record<string, string | null> = Object.fromEntries(
          Object.keys(topic.configs).map((k) => [k, null]),
        );
        for (const config of resource.configs) changes[config.name] = config.value;
        await state.topics.alterConfigs(resource.resourceName, changes, request.validateOnly);
      });
      responses.push({ ...result, resourceType: resource.resourceType, resourceName: resource.resourceName });
    }
    return { throttleTimeMs: 0, responses };
  },
});

const SET = 0;
const DELETE = 1;

export const incrementalAlterConfigsHandler = defineHandler<typeof IncrementalAlterConfigs, BrokerState>({
  api: IncrementalAlterConfigs,
  versions: '0-1',
  async handle(request, { state }) {
    const responses = [];
    for (const resource of request.resources) {
      const result = await itemResult(async () => {
        topicOnly(resource.resourceType, resource.resourceName);
        const changes: Record<string, string | null> = {};
        for (const config of resource.configs) {
          if (config.configOperation === SET) changes[config.name] = config.value;
          else if (config.configOperation === DELETE) changes[config.name] = null;
          else
            throw new KafkaError(
              ErrorCode.INVALID_CONFIG,
              `${config.name}: APPEND and SUBTRACT apply to list configs, and no topic config here is a list`,
            );
        }
        await state.topics.alterConfigs(resource.resourceName, changes, request.validateOnly);
      });
      responses.push({ ...result, resourceType: resource.resourceType, resourceName: resource.resourceName });
    }
    return { throttleTimeMs: 0, responses };
  },
});
