/**
 * KMDF1005: DriverEntry defined without a `DRIVER_INITIALIZE DriverEntry;` declaration. The role type
 * gives it its SAL (and the INIT-section and IRQL facts Code Analysis and SDV check). Only for the
 * WDM entry point that takes the driver object: a storport, NDIS or port-class miniport's DriverEntry
 * takes `PVOID`s and has its own role type (`sp_DRIVER_INITIALIZE`), not ours to demand.
 */
import type { FunctionModel } from '../../analysis/model';
import type { Rule } from '../types';
import { insertLinesBefore } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';
import { normalizeType } from '../facts/signatures';

/** Whether a DriverEntry has the DRIVER_INITIALIZE form: a driver object first (`PDRIVER_OBJECT`, `struct _DRIVER_OBJECT *`). */
export function takesDriverObject(fn: FunctionModel): boolean {
  const first = fn.params[0];
  return !!first && /^_?DRIVER_OBJECT\*$/.test(normalizeType(first.type));
}

export const driverEntryRole: Rule = {
  meta: meta({
    id: 'KMDF1005',
    name: 'driver-entry-role-type',
    title: 'DriverEntry not declared as DRIVER_INITIALIZE',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'DRIVER_INITIALIZE callback function',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_initialize',
      },
      {
        title: 'Declaring functions by using function role types for KMDF drivers',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/declaring-functions-using-function-role-types-for-kmdf-drivers',
      },
    ],
    mirrors: { codeAnalysis: [28101] },
    certainty:
      'Certain: DriverEntry is defined with a driver object as its first parameter and nothing in the workspace declares it DRIVER_INITIALIZE, neither a role-type declaration nor _Function_class_. A miniport DriverEntry taking PVOID parameters (storport, NDIS, port class) is left alone.',
  }),
  check(ctx) {
    const fn = ctx.document.functions.find((f) => f.isDefinition && f.name === 'DriverEntry');
    if (!fn || !takesDriverObject(fn)) return;
    const declared = ctx.workspace.roleDeclarations('DriverEntry').some((d) => d.decl.roleType === 'DRIVER_INITIALIZE');
    const classed = ctx.workspace.functionsNamed('DriverEntry').some((f) => f.fn.functionClass === 'DRIVER_INITIALIZE');
    if (declared || classed) return;
    const line =
      ctx.document.language === 'cpp' ? 'extern "C" DRIVER_INITIALIZE DriverEntry;' : 'DRIVER_INITIALIZE DriverEntry;';
    const first = ctx.document.functions
      .filter((f) => f.name === 'DriverEntry')
      .sort((a, b) => a.span.startOffset - b.span.startOffset)[0];
    ctx.report({
      message:
        'DriverEntry is not declared as DRIVER_INITIALIZE; add `DRIVER_INITIALIZE DriverEntry;` so the compiler and Code Analysis check it against its role type.',
      span: fn.nameSpan,
      function: 'DriverEntry',
      fixes: [
        {
          title: 'Declare DriverEntry as DRIVER_INITIALIZE',
          preferred: true,
          edits: [insertLinesBefore(ctx, first.span.startOffset, [line, ''])],
        },
      ],
    });
  },
};
