/**
 * KMDF4001: a method or callback introduced in a later KMDF/UMDF version than the driver targets.
 * The driver would not build against the target's headers, or would fail to load on the systems the
 * target version is meant for.
 */
import { PROJECT_CONFIG_FILE } from '../../project/projectConfig';
import { compareVersions } from '../../project/target';
import type { QuickFix, Rule } from '../types';
import { meta } from '../ruleMeta';
import { referencesOf } from '../findingReferences';
import { describeUsage, usagesOf } from '../facts/frameworkUsage';

export const newerThanTarget: Rule = {
  meta: meta({
    id: 'KMDF4001',
    name: 'newer-than-target',
    title: 'Method or callback newer than the target framework version',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'KMDF version history',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/wdf/kmdf-version-history',
      },
    ],
    certainty:
      'Certain for the target assumed: the method or callback first appears in a later framework version than the target (the message says where the target came from). Reported as a warning by default; information when the project file names no minor version (the target is then the documented default, which a newer kit may not use). Uses inside an #if branch the known defines leave open (a version guard) are left alone.',
  }),
  check(ctx) {
    const { target } = ctx;
    const version = target.framework === 'KMDF' ? target.kmdfVersion : target.umdfVersion;
    if (!version) return;
    // The version is the project's to state in .kmdf.json when no build file names it (implied, from
    // a .kmdf.json already, or from settings); a build file that names one is what the build uses.
    const configurable =
      target.defaulted || target.source === 'settings' || target.source.endsWith(PROJECT_CONFIG_FILE);
    for (const u of usagesOf(ctx)) {
      // `#if KMDF_VERSION_MINOR >= 15`-style guards the defines do not decide.
      if (u.conditional) continue;
      const needed = target.framework === 'KMDF' ? u.entry.kmdf : u.entry.umdf;
      if (!needed || !/^\d+\.\d+$/.test(needed) || compareVersions(needed, version) <= 0) continue;
      // A version the project only implies (no minor version set) is the documented default, which
      // kits may have moved past: say so, as information.
      const implied = target.defaulted
        ? ` The project sets no minor version; set ${target.framework}_VERSION_MINOR to the version the driver needs.`
        : '';
      ctx.report({
        message: `${describeUsage(u)} needs ${target.framework} ${needed}, but the driver targets ${target.framework} ${version} (from ${target.source}).${implied}`,
        ...(target.defaulted ? { severity: 'info' as const } : {}),
        span: u.span,
        ...(u.function ? { function: u.function } : {}),
        references: referencesOf(u.entry),
        ...(configurable ? { fixes: [setTargetFix(target.framework, needed)] } : {}),
      });
    }
  },
};

/** Write the version the driver needs as its target in the `.kmdf.json` (the editor makes the edit). */
function setTargetFix(framework: 'KMDF' | 'UMDF', version: string): QuickFix {
  return {
    title: `Set the target ${framework} version to ${version} (.kmdf.json)`,
    edits: [],
    projectConfig: { target: framework === 'KMDF' ? { kmdfVersion: version } : { umdfVersion: version } },
  };
}
