import { ApiVersions, ErrorCode } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

export const apiVersionsHandler = defineHandler<typeof ApiVersions, BrokerState>({
  api: ApiVersions,
  versions: '0-4',
  handle: (_request, { state }) => ({
    errorCode: ErrorCode.NONE,
    apiKeys: state.supportedApis(),
    throttleTimeMs: 0,
  }),
});
