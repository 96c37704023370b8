// The CLI verbs every kind of token shares (`fedgate keys …`, `fedgate links …`): list, disable, enable,
// recreate. `create` is each kind's own.
import type { TokenInfo, TokenRing } from './token-ring.ts'

export interface TokenVerbs<Info extends TokenInfo> {
  /** `keys`, `links`: the command, in usage lines. */
  command: string
  /** What a token is referred to by in usage lines (ID, NAME). */
  ref: string
  print: (info: Info) => void
}

/** Runs `verb` if it is one of the shared verbs; false for any other (the caller's own, or a usage error). */
export async function runTokenVerb<Info extends TokenInfo>(ring: TokenRing<Info>, verb: string | undefined, ref: string | undefined, o: TokenVerbs<Info>): Promise<boolean> {
  switch (verb) {
    case 'list': {
      const all = await ring.list()
      if (all.length === 0) console.log(`no ${o.command}`)
      for (const i of all) o.print(i)
      return true
    }
    case 'disable':
    case 'enable':
      if (!ref) throw new Error(`usage: fedgate ${o.command} ${verb} ${o.ref}`)
      o.print(await ring.setDisabled(ref, verb === 'disable'))
      return true
    case 'recreate': {
      if (!ref) throw new Error(`usage: fedgate ${o.command} recreate ${o.ref}`)
      const r = await ring.reissue(ref)
      o.print(r.info)
      console.log(`\n${r.token}\n\nThe old secret no longer works. The new one is shown this once.`)
      return true
    }
    default:
      return false
  }
}
