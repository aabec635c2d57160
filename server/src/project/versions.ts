/**
 * The framework versions the embedded facts describe, and the version a build uses when a project
 * names a major version but no minor one. Everything that needs "the newest" reads it from here.
 */

/** The newest versions the embedded facts describe (the catalog is generated from KMDF 1.33 and UMDF 2.33 headers; a unit test checks the two agree). */
export const NEWEST_KMDF = '1.33';
export const NEWEST_UMDF = '2.33';

export type Framework = 'KMDF' | 'UMDF';

export function newestVersion(framework: Framework): string {
  return framework === 'KMDF' ? NEWEST_KMDF : NEWEST_UMDF;
}

/**
 * Minor versions Visual Studio uses when a driver project sets no minor version, by the project's
 * `TargetVersion` (documented on "Driver Model Settings properties for driver projects":
 * https://learn.microsoft.com/windows-hardware/drivers/develop/driver-model-settings-properties-for-driver-projects).
 * Windows 10 and 11 (also what an unset `TargetVersion` means for the Windows 10 toolsets) get 1.15 and
 * 2.15; KMDF for Windows 8 and 8.1 gets 1.11, for Windows 7 1.9; UMDF 2 otherwise 2.0.
 */
const MSBUILD_DEFAULT_MINOR: Record<Framework, { windows10: string; older: Record<string, string> }> = {
  KMDF: { windows10: '15', older: { windows7: '9', windows8: '11', 'windowsv6.3': '11' } },
  UMDF: { windows10: '15', older: { windows7: '0', windows8: '0', 'windowsv6.3': '0' } },
};

/** A version with the reason it was chosen when the project did not spell it out. */
export interface DefaultedVersion {
  version: string;
  reason: string;
}

/**
 * The version a build uses for `framework` when the project sets the major version `major` (or
 * none) but no minor version. MSBuild projects (`builder` "toolset") get the documented Visual Studio
 * default above; a WDK `sources` build (`builder` "build") has no documented default, so the newest the
 * catalog knows is assumed, as the kit that builds it would use its own newest framework.
 */
export function defaultVersion(
  framework: Framework,
  major: string | undefined,
  targetVersion: string | undefined,
  builder: string,
): DefaultedVersion {
  const newest = newestVersion(framework);
  const newestMajor = newest.split('.')[0];
  const what = major ? `${framework} ${major}.x, minor not set` : `${framework} version not set`;
  if (major && major !== newestMajor)
    return {
      version: `${major}.0`,
      reason: `${what}: ${major}.0 assumed (the facts describe ${framework} ${newestMajor}.x only)`,
    };
  if (builder !== 'toolset') return { version: newest, reason: `${what}: the ${builder} default (newest)` };
  const defaults = MSBUILD_DEFAULT_MINOR[framework];
  const target = targetVersion?.toLowerCase();
  const older = target ? defaults.older[target] : undefined;
  if (older !== undefined)
    return { version: `${newestMajor}.${older}`, reason: `${what}: the default for TargetVersion ${targetVersion}` };
  return {
    version: `${newestMajor}.${defaults.windows10}`,
    reason: `${what}: the Visual Studio default for Windows 10 and 11 (${newestMajor}.${defaults.windows10})`,
  };
}
