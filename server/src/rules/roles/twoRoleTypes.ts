/**
 * KMDF1004: one function declared with two different role types. Each role type carries its own
 * `_Function_class_` and IRQL annotations; a function can have only one, so the tools see a conflict
 * even when the signatures agree. Declare it once; registering it for two events is fine.
 */
import { inExclusiveBranches } from '../../analysis/conditionals';
import type { Rule } from '../types';
import { deleteLines } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';

export const twoRoleTypes: Rule = {
  meta: meta({
    id: 'KMDF1004',
    name: 'two-role-types',
    title: 'Function declared with two role types',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'Declaring functions by using function role types for KMDF drivers',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/declaring-functions-using-function-role-types-for-kmdf-drivers',
      },
    ],
    mirrors: { codeAnalysis: [28177], codeQL: ['MultipleFunctionClassAnnotations'] },
    certainty: 'Certain: two declarations give one function two different role types; reported once, at the later one.',
  }),
  check(ctx) {
    const { workspace, document } = ctx;
    for (const decl of document.roleDecls) {
      for (const n of decl.names) {
        const all = workspace.roleDeclarations(n.name);
        // `#ifdef X` one role type, `#else` another: never compiled together.
        const first = all.find(
          (d) =>
            d.decl.roleType !== decl.roleType &&
            !(
              d.uri === document.uri &&
              inExclusiveBranches(document.undecidedBranches, d.decl.span.startOffset, decl.span.startOffset)
            ),
        );
        if (!first) continue;
        // Report on the later declaration only (order: file, then offset), so each pair is reported once.
        const isLater =
          first.uri < document.uri ||
          (first.uri === document.uri && first.decl.span.startOffset < decl.span.startOffset);
        if (!isLater) continue;
        const soleName = decl.names.length === 1;
        ctx.report({
          message: `${n.name} is declared as ${decl.roleType} and also as ${first.decl.roleType}; a function has one role type. Keep the one that matches how it is used (registering it for both events is fine).`,
          span: n.span,
          related: [{ uri: first.uri, span: first.nameSpan, message: `declared as ${first.decl.roleType} here` }],
          ...(soleName
            ? { fixes: [{ title: `Remove the declaration as ${decl.roleType}`, edits: [deleteLines(ctx, decl.span)] }] }
            : {}),
        });
      }
    }
  },
};
