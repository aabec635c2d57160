/**
 * KMDF4002: a KMDF-only method or callback in a UMDF driver, or a UMDF-only one in a KMDF driver
 * (from the versions and the "applies to" banner of its page). Only where the framework is known
 * (project file, `.kmdf.json`, settings or command line: not the fallback) and the use is compiled
 * on every build (not in an `#if` branch the defines leave open, where such code usually is the other
 * framework's half of a shared source).
 */
import type { Rule } from '../types';
import { meta } from '../ruleMeta';
import { referencesOf } from '../findingReferences';
import { describeUsage, usagesOf } from '../facts/frameworkUsage';

export const wrongFramework: Rule = {
  meta: meta({
    id: 'KMDF4002',
    name: 'wrong-framework',
    title: 'KMDF-only API in a UMDF driver, or UMDF-only API in a KMDF driver',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'Comparing UMDF version 2 and KMDF functionality',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/wdf/comparing-umdf-2-0-functionality-to-kmdf',
      },
    ],
    certainty:
      "Certain for the target assumed: the method's or callback's page limits it to the other framework. Reported only when the framework comes from the project, .kmdf.json, settings or the command line, and not inside an #if branch the known defines leave open. Information only when the target framework's own headers declare it too (the code builds; whether the framework ever calls it is the page's word alone).",
  }),
  check(ctx) {
    const fw = ctx.target.framework;
    if (ctx.target.source === 'default') return;
    for (const u of usagesOf(ctx)) {
      if (u.conditional) continue;
      const frameworks = u.entry.frameworks;
      if (!frameworks.length || frameworks.includes(fw)) continue;
      // The page limits it to the other framework, but this framework's own header declares it
      // (several such pages also list a version for both): the code builds, so it is not certain.
      const declaredHere = u.entry.sources.some((s) => s.startsWith(`wdf-signatures:${fw.toLowerCase()}-`));
      ctx.report({
        message:
          `${describeUsage(u)} is available to ${frameworks.join(' and ')} drivers only, but this is a ${fw} driver (from ${ctx.target.source}).` +
          (declaredHere ? ` The ${fw} headers declare it too, so this builds; check that the framework calls it.` : ''),
        ...(declaredHere ? { severity: 'info' as const } : {}),
        span: u.span,
        ...(u.function ? { function: u.function } : {}),
        references: referencesOf(u.entry),
      });
    }
  },
};
