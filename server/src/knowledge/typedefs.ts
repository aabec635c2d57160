/**
 * Scalar typedefs of the WDF headers that role-type signatures use under another name than driver
 * code often does: comparing a definition with its role type resolves them first. Facts from
 * wdftypes.h (KMDF and UMDF 2 alike).
 */
export const WDF_SCALAR_TYPEDEFS: ReadonlyMap<string, string> = new Map([
  // `typedef PVOID WDFCONTEXT;` — completion, work-item and other context parameters.
  ['WDFCONTEXT', 'PVOID'],
]);
