/**
 * KMDF1005: DriverEntry defined without a `DRIVER_INITIALIZE DriverEntry;` declaration. The role type
 * gives it its SAL (and the INIT-section and IRQL facts Code Analysis and SDV check).
 */
import type { Rule } from '../types';
import { insertLinesBefore, meta } from '../util';

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
      'Certain: DriverEntry is defined and nothing in the workspace declares it DRIVER_INITIALIZE, neither a role-type declaration nor _Function_class_.',
  }),
  check(ctx) {
    const fn = ctx.document.functions.find((f) => f.isDefinition && f.name === 'DriverEntry');
    if (!fn) return;
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
