/**
 * The promise cached under `key`, or a new one from `load`, cached. Callers asking at the same
 * time share one load; a load that fails is dropped from the cache so the next call tries again.
 */
export function cachedPromise<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  const existing = cache.get(key);
  if (existing !== undefined) return existing;
  const loading = load();
  cache.set(key, loading);
  loading.catch(() => {
    if (cache.get(key) === loading) cache.delete(key);
  });
  return loading;
}
