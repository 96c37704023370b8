// The changes a publish and a tag delete make, as functions of the committed state: the repository
// store calls them again with a fresh state when another writer committed in between (see commit()).
import { GatewayError } from '../../../gateway/errors.ts'
import type { RepoName, RepoState, RepoUpdate } from '../model.ts'

/** Points `tag` (and `latest`, when asked) at a stored image; an image already listed keeps its date. */
export function tagImage(tag: string, image: { id: string; size: number }, o: { latest: boolean; at: string }): (committed: RepoState | undefined) => RepoUpdate {
  return (committed) => {
    const tags = { ...(committed?.tags ?? {}), [tag]: image.id }
    if (o.latest) tags.latest = image.id
    const record = committed?.images[image.id] ?? { id: image.id, size: image.size, createdAt: o.at }
    return { tags, images: { ...(committed?.images ?? {}), [image.id]: record } }
  }
}

/** Removes `tag`; not found when the committed state has no such tag. */
export function untag(repo: RepoName, tag: string): (committed: RepoState | undefined) => RepoUpdate {
  return (committed) => {
    if (!committed || !(tag in committed.tags)) throw new GatewayError('GW_ERR_NOT_FOUND', `no tag ${tag} in ${repo}`)
    const tags = { ...committed.tags }
    delete tags[tag]
    return { tags, images: committed.images }
  }
}
