import { latencyFigures, percentile } from './latency';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('latencyFigures', () => {
  it('measures receipt minus commit', () => {
    expect(
      latencyFigures([
        [1000, 1003],
        [1000, 1001],
        [2000, 2010],
      ]),
    ).toEqual({ samples: 3, p50Ms: 3, p99Ms: 10, maxMs: 10 });
  });
});
