/** Pure checks of a QR order's money, in integer minor units of the site's currency. */
import { decimalsRule } from '../http/amount-schema.ts';
import type { FieldProblem } from '../http/problems.ts';
import { decimalsOf, fromMinorUnits, toMinorUnits } from '../model/money.ts';
import type { PutQrOrderBody } from './schemas.ts';

/** Every item's total is unitPrice x quantity, and the items add up to totalAmount. [] when all hold. */
export const orderAmountProblems = (
  body: Pick<PutQrOrderBody, 'totalAmount' | 'items'>,
  currency: string,
): FieldProblem[] => {
  const decimals = decimalsOf(currency);
  const problems: FieldProblem[] = [];
  const minor = (value: number, field: string): number | null => {
    const result = toMinorUnits(value, decimals);
    if (result === null) problems.push({ field, message: decimalsRule(decimals, currency) });
    return result;
  };
  const totalMinor = minor(body.totalAmount, 'totalAmount');
  let itemsMinor: number | null = 0;
  for (const [index, item] of body.items.entries()) {
    const unitMinor = minor(item.unitPrice, `items.${index}.unitPrice`);
    const itemTotalMinor = minor(item.totalAmount, `items.${index}.totalAmount`);
    if (unitMinor !== null && itemTotalMinor !== null && unitMinor * item.quantity !== itemTotalMinor) {
      problems.push({
        field: `items.${index}.totalAmount`,
        message: `must be unitPrice x quantity (${fromMinorUnits(unitMinor * item.quantity, decimals)})`,
      });
    }
    itemsMinor = itemsMinor === null || itemTotalMinor === null ? null : itemsMinor + itemTotalMinor;
  }
  if (totalMinor !== null && itemsMinor !== null && itemsMinor !== totalMinor) {
    problems.push({
      field: 'totalAmount',
      message: `must be the sum of the items' totalAmount (${fromMinorUnits(itemsMinor, decimals)})`,
    });
  }
  return problems;
};
