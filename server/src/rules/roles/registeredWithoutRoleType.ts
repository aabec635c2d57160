/**
 * KMDF1001: a function registered as a callback (config field, `PFN_…` argument of a Wdf method or a
 * `WDF_…_INIT` helper) that is not declared with a role type. Without `EVT_X Name;` Code Analysis and
 * SDV cannot tell what the function is. Information, not a warning: the assignment to the `PFN_…`
 * field already makes the compiler check the signature, so nothing is wrong at run time.
 */
import { realRegistrations } from '../../analysis/modelLookups';
import type { Rule } from '../types';
import { insertLinesBefore } from '../fixes/lineEdits';
import { isIdentifier } from '../facts/driverGraph';
import { meta } from '../ruleMeta';

const DECLARING_ROLES =
  'https://learn.microsoft.com/windows-hardware/drivers/devtest/declaring-functions-using-function-role-types-for-kmdf-drivers';

export const registeredWithoutRoleType: Rule = {
  meta: meta({
    id: 'KMDF1001',
    name: 'registered-without-role-type',
    title: 'Callback registered without a role-type declaration',
    defaultSeverity: 'info',
    documentation: [
      { title: 'Declaring functions by using function role types for KMDF drivers', url: DECLARING_ROLES },
    ],
    mirrors: { codeAnalysis: [28023] },
    certainty:
      'Certain: the function is defined in the driver, is registered where the index names a role type, and no declaration or _Function_class_ gives it one. Of little consequence at run time, since the PFN_ field or parameter already makes the compiler check the signature.',
  }),
  check(ctx) {
    const { workspace, index, document } = ctx;
    for (const registration of realRegistrations(document)) {
      const name = registration.functionName;
      if (!isIdentifier(name)) continue;
      const roleType = workspace.roleOfRegistration(registration);
      const entry = roleType ? index.get(roleType) : undefined;
      if (!entry || entry.kind !== 'callback') continue;
      const known = workspace.functionsNamed(name);
      // Only functions of this driver: a macro or a library symbol is not ours to declare.
      if (!known.length) continue;
      // A parameter or local of the registering function (a `PFN_…` handed in by the caller) is not a function.
      const owner = registration.inFunction
        ? document.functions.find((f) => f.isDefinition && f.name === registration.inFunction)
        : undefined;
      if (owner?.params.some((p) => p.name === name)) continue;
      if (workspace.roleDeclarations(name).length || known.some((f) => f.fn.functionClass)) continue;
      const where =
        registration.kind === 'field'
          ? `${registration.object ?? ''}.${registration.field}`
          : `argument ${(registration.argIndex ?? 0) + 1} of ${registration.callee}`;
      const def = known.find((f) => f.fn.isDefinition) ?? known[0];
      // Insert before the first prototype or definition in this file, so the declaration precedes every use.
      const fixTarget = known
        .filter((f) => f.uri === document.uri)
        .map((f) => f.fn)
        .sort((a, b) => a.span.startOffset - b.span.startOffset)[0];
      // A C++ member is declared in its class (`static EVT_X Name;`), not at file scope.
      const member = known.some((f) => f.fn.name.includes('::'));
      ctx.report({
        message: member
          ? `${name} is registered as ${entry.name} (${where}) but is not declared with that role type; declare it in its class as \`static ${entry.name} ${name};\`.`
          : `${name} is registered as ${entry.name} (${where}) but is not declared with that role type; add \`${entry.name} ${name};\` before it is defined.`,
        span: registration.valueSpan,
        ...(registration.inFunction ? { function: registration.inFunction } : {}),
        related: [
          {
            uri: def.uri,
            span: def.fn.nameSpan,
            message: `${name} is ${def.fn.isDefinition ? 'defined' : 'declared'} here`,
          },
        ],
        references: [{ title: 'Function role types', url: DECLARING_ROLES }],
        ...(fixTarget && !member
          ? {
              fixes: [
                {
                  title: `Declare ${name} as ${entry.name}`,
                  preferred: true,
                  edits: [insertLinesBefore(ctx, fixTarget.span.startOffset, [`${entry.name} ${name};`, ''])],
                },
              ],
            }
          : {}),
      });
    }
  },
};
