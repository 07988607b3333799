import type { ApiSpec } from '../schema/message';
import { ApiVersions } from './api-versions';
import { Metadata } from './metadata';

export { ApiVersions } from './api-versions';
export { Metadata } from './metadata';

/** Every API described here, by key. A broker serves those it has handlers for. */
export const API_SPECS: readonly ApiSpec[] = [Metadata, ApiVersions];

const byKey = new Map(API_SPECS.map((api) => [api.apiKey, api]));

export function apiByKey(apiKey: number): ApiSpec | undefined {
  return byKey.get(apiKey);
}
