import { Code, TrunklineError } from '../errors';

/** A setting is missing, malformed or unknown. The message is one line naming the setting. */
export class ConfigError extends TrunklineError {
  /** The flag (`--grpc-port`) or env variable (`TRUNKLINE_GRPC_PORT`) at fault. */
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(Code.InvalidArgument, message, { details: { setting } });
    this.setting = setting;
  }
}
