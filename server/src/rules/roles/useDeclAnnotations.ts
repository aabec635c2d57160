/**
 * KMDF1006 (hint): a definition of a role-typed function with neither `_Use_decl_annotations_` nor
 * SAL of its own. The role type's annotations then do not apply to the body when Code Analysis checks
 * it; `_Use_decl_annotations_` takes them from the declaration.
 */
import type { Rule } from '../types';
import { insertLinesBefore } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';
import { checkedFunctions } from '../findingsReuse';

export const useDeclAnnotations: Rule = {
  meta: meta({
    id: 'KMDF1006',
    name: 'use-decl-annotations',
    title: 'Role-typed definition without _Use_decl_annotations_',
    defaultSeverity: 'hint',
    documentation: [
      {
        title: 'Annotating function behavior (_Use_decl_annotations_)',
        url: 'https://learn.microsoft.com/cpp/code-quality/annotating-function-behavior',
      },
    ],
    certainty:
      'Certain, and advice only: the definition of a role-typed function has neither _Use_decl_annotations_ nor SAL of its own; the driver runs the same either way.',
  }),
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || fn.useDeclAnnotations) continue;
      const decl = ctx.workspace.roleDeclarations(fn.name)[0];
      if (!decl) continue;
      const ownSal =
        fn.annotations.some((a) => /^_/.test(a.name)) ||
        fn.params.some((p) => p.annotations.some((a) => /^_/.test(a.name)));
      if (ownSal) continue;
      ctx.report({
        message: `${fn.name} is declared as ${decl.decl.roleType} but its definition has no _Use_decl_annotations_, so the role type's annotations are not applied to its body.`,
        span: fn.nameSpan,
        function: fn.name,
        related: [{ uri: decl.uri, span: decl.nameSpan, message: `declared as ${decl.decl.roleType} here` }],
        fixes: [
          {
            title: 'Add _Use_decl_annotations_',
            preferred: true,
            edits: [insertLinesBefore(ctx, fn.span.startOffset, ['_Use_decl_annotations_'])],
          },
        ],
      });
    }
  },
};
