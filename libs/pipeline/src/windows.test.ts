import { RateWindow, SampleWindow } from './windows';

describe('SampleWindow', () => {
  it('gives quantiles of the samples still in the window', () => {
    let now = 0;
    const window = new SampleWindow(60_000, 1000, () => now);
    for (let i = 1; i <= 100; i++) window.add(i);
    expect(window.quantiles([0.5, 0.99])).toEqual({ values: [50, 99], count: 100 });
    now = 61_000;
    window.add(7);
    expect(window.quantiles([0.5, 0.99])).toEqual({ values: [7, 7], count: 1 });
  });

  it('keeps at most its bound, dropping the oldest first', () => {
    const window = new SampleWindow(60_000, 10, () => 0);
    for (let i = 1; i <= 35; i++) window.add(i);
    const { values, count } = window.quantiles([0, 1]);
    expect(count).toBe(10);
    expect(values).toEqual([26, 35]);
  });

  it('answers zeros when empty', () => {
    expect(new SampleWindow(1000).quantiles([0.5])).toEqual({ values: [0], count: 0 });
  });
});

describe('RateWindow', () => {
  it('averages counts over the last seconds', () => {
    let now = 100_000;
    const rate = new RateWindow(10, () => now);
    rate.add(50);
    now += 1000;
    rate.add(50);
    expect(rate.perSecond()).toBe(10);
    now += 10_000;
    expect(rate.perSecond()).toBe(0);
  });
});
