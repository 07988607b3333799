// Generated contracts are imported by path, e.g.
//   import { BrokerAdminService } from '@trunkline/contracts/broker/v1/broker_admin';
// This entry point re-exports only what every service shares.
export * from './gen/trunkline/common/v1/position_pb';
export * from './gen/trunkline/common/v1/service_info_pb';
