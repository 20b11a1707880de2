import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromMinorUnits, roundToMinorUnits, toMinorUnits } from '../../functions/model/money.ts';

describe('money in minor units', () => {
  it('converts amounts with allowed decimals exactly', () => {
    expect(toMinorUnits(10.5, 2)).toBe(1050);
    expect(toMinorUnits(10, 2)).toBe(1000);
    expect(toMinorUnits(0.1, 2)).toBe(10);
    expect(toMinorUnits(12.34, 2)).toBe(1234);
    expect(toMinorUnits(1500, 0)).toBe(1500);
  });

  it('rejects more decimals than the currency allows', () => {
    expect(toMinorUnits(10.001, 2)).toBeNull();
    expect(toMinorUnits(10.5, 0)).toBeNull();
    expect(toMinorUnits(1e-7, 2)).toBeNull();
    expect(toMinorUnits(Number.NaN, 2)).toBeNull();
    expect(toMinorUnits(Number.POSITIVE_INFINITY, 2)).toBeNull();
    expect(toMinorUnits(1e300, 2)).toBeNull();
  });

  it('rounds float noise of amounts Mercado Pago reports', () => {
    expect(roundToMinorUnits(12.340000000000002, 2)).toBe(1234);
    expect(roundToMinorUnits(0.1 + 0.2, 2)).toBe(30);
    expect(roundToMinorUnits(206.02, 2)).toBe(20602);
  });

  it('round-trips every minor amount through major units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), fc.constantFrom(0, 2), (minor, decimals) => {
        const major = fromMinorUnits(minor, decimals);
        expect(toMinorUnits(major, decimals)).toBe(minor);
        expect(roundToMinorUnits(major, decimals)).toBe(minor);
      }),
    );
  });
});
