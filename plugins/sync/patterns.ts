// Which repositories a list of names and `ns/*` patterns selects.
import type { RepoName } from '../hub/model.ts'

export const isPattern = (entry: string): boolean => entry.endsWith('/*')

export function matches(entry: string, name: RepoName): boolean {
  return isPattern(entry) ? name.startsWith(entry.slice(0, -1)) : name === entry
}

export function selected(entries: readonly string[], name: RepoName): boolean {
  return entries.some((e) => matches(e, name))
}

/** The names the entries select among `available` (the upstream's list), plus every exact name. */
export function expand(entries: readonly string[], available: readonly RepoName[]): RepoName[] {
  const out = new Set<RepoName>(entries.filter((e) => !isPattern(e)))
  for (const name of available) if (selected(entries, name)) out.add(name)
  return [...out].sort()
}
