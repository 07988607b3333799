import { chooseOperation, DEMO_OPERATIONS, MAX_DEMO_ORDERS } from './demo-load';

describe('chooseOperation', () => {
  const mix = (orders: number) => {
    const kinds = { insert: 0, update: 0, delete: 0 };
    for (let i = 0; i < 1_000; i++) kinds[chooseOperation(i / 1_000, orders).kind] += 1;
    return kinds;
  };

  it('mixes inserts, updates and deletes by weight', () => {
    expect(mix(0)).toEqual({ insert: 330, update: 450, delete: 220 });
    expect(new Set(Array.from({ length: 100 }, (_, i) => chooseOperation(i / 100, 0).name))).toEqual(
      new Set(DEMO_OPERATIONS.map((op) => op.name)),
    );
  });

  it('deletes orders instead of placing them once there are enough', () => {
    const full = mix(MAX_DEMO_ORDERS);
    expect(full.insert).toBe(30);
    expect(full.delete).toBe(520);
  });
});
