/**
 * KMDF1007 (hint): a role type declared for a function that is never defined in the workspace. Either
 * the declaration is left over, or the callback still has to be written; the fix writes a stub.
 */
import { generateStub, StubError } from '../../stubs/stub';
import type { Rule } from '../types';
import { eolOf, lines } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';

export const declaredNotDefined: Rule = {
  meta: meta({
    id: 'KMDF1007',
    name: 'role-declared-not-defined',
    title: 'Role type declared but the function is never defined',
    defaultSeverity: 'hint',
    documentation: [
      {
        title: 'Declaring functions by using function role types for KMDF drivers',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/declaring-functions-using-function-role-types-for-kmdf-drivers',
      },
    ],
    certainty: 'Possible: no file of the workspace defines the function, but a file or library outside it may.',
  }),
  check(ctx) {
    const { workspace, index, document } = ctx;
    const isSource = /\.(c|cc|cpp|cxx)$/i.test(document.uri);
    for (const decl of document.roleDecls) {
      for (const n of decl.names) {
        if (workspace.isDefined(n.name)) continue;
        const entry = index.get(decl.roleType);
        let fix;
        if (isSource && entry?.kind === 'callback') {
          try {
            const eol = eolOf(ctx.text);
            const stub = generateStub(entry, n.name, { eol }, (name) => index.get(name));
            const end = ctx.text.length;
            const lead = ctx.text.endsWith('\n') || !ctx.text.length ? eol : eol + eol;
            const body = [...(stub.allocText ? [stub.allocText] : []), stub.definition].join(eol);
            fix = {
              title: `Generate the definition of ${n.name}`,
              preferred: true,
              edits: [{ uri: document.uri, span: lines(ctx).span(end, end), newText: `${lead}${body}${eol}` }],
            };
          } catch (error) {
            if (!(error instanceof StubError)) throw error;
          }
        }
        ctx.report({
          message: `${n.name} is declared as ${decl.roleType} but never defined in the workspace.`,
          span: n.span,
          ...(fix ? { fixes: [fix] } : {}),
        });
      }
    }
  },
};
