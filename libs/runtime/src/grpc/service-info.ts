import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { ServiceInfoSchema } from '@trunkline/contracts/common/v1/service_info';
import type { Listener } from '../service';

/** What a service's admin API reports about the running instance. */
export interface InstanceFacts {
  instanceId: string;
  version: string;
  startedAt: Date;
  listeners(): readonly Listener[];
}

/** The `trunkline.common.v1.ServiceInfo` every admin API's info call answers with. */
export function serviceInfo(
  service: string,
  facts: InstanceFacts,
): MessageInitShape<typeof ServiceInfoSchema> {
  return {
    service,
    version: facts.version,
    instanceId: facts.instanceId,
    startedAt: timestampFromMs(facts.startedAt.getTime()),
    listeners: facts.listeners().map((l) => ({ protocol: l.protocol, address: l.address })),
  };
}
