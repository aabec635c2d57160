/**
 * KMDF1003: a function declared with one role type and registered where another role type with a
 * different signature is expected. Registering one function for two events whose role types share a
 * signature is fine (drivers commonly use one routine for self-managed I/O init and restart).
 */
import type { Rule } from '../types';
import { isIdentifier } from '../facts/driverGraph';
import { meta } from '../ruleMeta';
import { sameSignature, signatureText } from '../facts/signatures';

export const registeredAsOtherRole: Rule = {
  meta: meta({
    id: 'KMDF1003',
    name: 'registered-as-other-role-type',
    title: 'Callback registered where a role type with another signature is expected',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'Declaring functions by using function role types for KMDF drivers',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/declaring-functions-using-function-role-types-for-kmdf-drivers',
      },
    ],
    mirrors: { codeAnalysis: [28024, 28127, 28165], codeQL: ['RoleTypeCorrectlyUsed'] },
    certainty:
      'Certain: the role type the function is declared with and the one the field or argument expects have different signatures. Role types that share a signature are not reported.',
  }),
  check(ctx) {
    const { workspace, index, document } = ctx;
    for (const registration of document.registrations) {
      const name = registration.functionName;
      if (!isIdentifier(name)) continue;
      const expectedType = workspace.roleOfRegistration(registration);
      const expected = expectedType ? index.get(expectedType) : undefined;
      if (!expected || expected.kind !== 'callback') continue;
      for (const decl of workspace.roleDeclarations(name)) {
        const declared = index.get(decl.decl.roleType);
        if (!declared || declared.kind !== 'callback' || declared.name === expected.name) continue;
        if (sameSignature(declared, expected)) continue;
        const where =
          registration.kind === 'field'
            ? `${registration.object ?? ''}.${registration.field}`
            : `argument ${(registration.argIndex ?? 0) + 1} of ${registration.callee}`;
        ctx.report({
          message: `${name} is declared as ${declared.name} — ${signatureText(declared)} — but ${where} expects ${expected.name} — ${signatureText(expected)}.`,
          span: registration.valueSpan,
          ...(registration.inFunction ? { function: registration.inFunction } : {}),
          related: [{ uri: decl.uri, span: decl.nameSpan, message: `declared as ${declared.name} here` }],
        });
        break;
      }
    }
  },
};
