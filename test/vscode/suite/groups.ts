/** The top-level `describe` titles of the integration suite; the harnesses check that each group ran and passed. */
export const SUITE_GROUPS = [
  'activation',
  'hover',
  'completion',
  'code actions',
  'diagnostics',
  'commands',
  'settings',
  'server restarts',
] as const;
