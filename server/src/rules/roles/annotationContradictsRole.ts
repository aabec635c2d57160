/**
 * KMDF1008: SAL on a definition that contradicts its role type: an IRQL annotation with another
 * level than the role type's, or `_Function_class_` naming another role type. The role type is what
 * the framework honours; the definition's annotation only misleads Code Analysis and readers.
 */
import { maxLevel, normalizeLevel } from '../../knowledge/irql';
import { entryIrql } from '../facts/irql';
import type { Rule } from '../types';
import { lines } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';
import { checkedFunctions } from '../findingsReuse';

const IRQL_ANNOTATIONS =
  /^(_IRQL_requires_max_|_IRQL_requires_min_|_IRQL_requires_|__drv_maxIRQL|__drv_minIRQL|__drv_requiresIRQL)$/;

export const annotationContradictsRole: Rule = {
  meta: meta({
    id: 'KMDF1008',
    name: 'annotation-contradicts-role-type',
    title: 'Annotation on a definition contradicts its role type',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'IRQL annotations for drivers',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/irql-annotations-for-drivers',
      },
    ],
    certainty:
      "Certain: an IRQL maximum written on the definition names another level than its role type's, or its _Function_class_ names another role type.",
  }),
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition) continue;
      const decl = ctx.workspace.roleDeclarations(fn.name)[0];
      const entry = decl ? ctx.index.get(decl.decl.roleType) : undefined;
      if (!decl || !entry || entry.kind !== 'callback') continue;
      const roleMax = maxLevel(entryIrql(entry));
      for (const a of fn.annotations) {
        let problem: string | undefined;
        if (a.name === '_Function_class_' && a.args && a.args.trim() !== entry.name)
          problem = `_Function_class_(${a.args.trim()}) names another role type than ${entry.name}`;
        if (!problem && IRQL_ANNOTATIONS.test(a.name) && roleMax) {
          const level = normalizeLevel(a.args);
          const isMax = /max|_IRQL_requires_$|requiresIRQL/.test(a.name);
          if (level && isMax && level !== roleMax)
            problem = `${a.text} says ${level}, but ${entry.name} runs at up to ${roleMax}`;
        }
        if (!problem) continue;
        // Only a finding needs the line index: building one per check cost ~1 ms a keystroke on a long file.
        const li = lines(ctx);
        ctx.report({
          message: `${fn.name}: ${problem}. Let the role type speak: remove it and use _Use_decl_annotations_.`,
          span: li.span(a.start, a.end),
          function: fn.name,
          related: [{ uri: decl.uri, span: decl.nameSpan, message: `declared as ${entry.name} here` }],
          fixes: [
            {
              title: `Remove ${a.text}`,
              preferred: true,
              edits: [
                {
                  uri: ctx.document.uri,
                  span: li.span(a.start, a.end + (/^[ \t]*\r?\n/.exec(ctx.text.slice(a.end))?.[0].length ?? 0)),
                  newText: fn.useDeclAnnotations
                    ? ''
                    : '_Use_decl_annotations_' +
                      (/^[ \t]*\r?\n/.test(ctx.text.slice(a.end)) ? (ctx.text.includes('\r\n') ? '\r\n' : '\n') : ' '),
                },
              ],
            },
          ],
        });
      }
    }
  },
};
