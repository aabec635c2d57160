/**
 * A constant lookup table keyed by text from outside (C identifiers, entity names, page words):
 * an object without a prototype, so `table['constructor']`, `table['toString']` and `'valueOf' in table`
 * find nothing instead of Object.prototype's members (found by `npm run fuzz`: a driver calling a
 * function named `valueOf` crashed the IRQL rules; `&constructor;` in a page decoded to a function's source).
 */
export function lookupTable<V>(entries: Record<string, V>): Readonly<Record<string, V>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, V>, entries));
}
