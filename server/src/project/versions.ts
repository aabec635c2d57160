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
 * Minor versions the WDK property pages use when the minor version is not set and the project's
 * `TargetVersion` is an older Windows; any other (Windows10 or none) gets the toolset's newest.
 * https://learn.microsoft.com/windows-hardware/drivers/develop/driver-model-settings-properties-for-driver-projects
 */
const OLDER_WINDOWS_DEFAULT: Record<Framework, Record<string, string>> = {
  KMDF: { windows7: '9', windows8: '11', 'windowsv6.3': '11' },
  UMDF: { 'windowsv6.3': '0' },
};

/** A version with the reason it was chosen when the project did not spell it out. */
export interface DefaultedVersion {
  version: string;
  reason: string;
}

/**
 * The version a build uses for `framework` when the project sets the major version `major` (or
 * none) but no minor version. The WDK toolset then builds against its own newest framework
 * ("keep the defaults" for the most recent KMDF or UMDF), which for us is the newest the catalog
 * knows: https://learn.microsoft.com/windows-hardware/drivers/wdf/building-and-loading-a-kmdf-driver
 * `builder` names what applies the default in messages ("toolset" for MSBuild, "build" for `sources`).
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
  const older = targetVersion ? OLDER_WINDOWS_DEFAULT[framework][targetVersion.toLowerCase()] : undefined;
  if (older !== undefined)
    return { version: `${newestMajor}.${older}`, reason: `${what}: the default for TargetVersion ${targetVersion}` };
  return { version: newest, reason: `${what}: the ${builder} default (newest)` };
}
