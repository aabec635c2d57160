/**
 * Whether a cache folder or file is the user's own: what a cache holds is read back as trusted (docs
 * pages shown in hovers, compiled code), so one that another user could write is not used.
 */
import type * as fs from 'node:fs';

/** Why a file or folder may not be used (undefined: it may). */
export type Refusal = string | undefined;

/** Why a cache folder may not be used: a link, not a folder, someone else's, or writable by anyone. */
export function folderRefusal(stat: fs.Stats, folder: string): Refusal {
  if (stat.isSymbolicLink()) return `cache folder ${folder} is a symbolic link`;
  if (!stat.isDirectory()) return `cache folder ${folder} is not a folder`;
  const owner = ownerRefusal(stat, folder);
  if (owner) return owner;
  // Windows has ACLs, not these bits (Node reports 0o666/0o777 there); %LOCALAPPDATA% is the user's own.
  if (process.platform !== 'win32' && (stat.mode & 0o002) !== 0)
    return `cache folder ${folder} is writable by every user`;
  return undefined;
}

/** Why a file may not be read as the user's own: another user owns it (POSIX). */
export function ownerRefusal(stat: fs.Stats, file: string): Refusal {
  const uid = process.getuid?.();
  if (uid === undefined || process.platform === 'win32') return undefined;
  return stat.uid === uid ? undefined : `${file} is owned by another user (uid ${stat.uid})`;
}
