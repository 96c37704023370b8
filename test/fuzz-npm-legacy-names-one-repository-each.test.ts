// Every npm name the plugin accepts, legacy ones included (capitals, ~'!()*), is stored as a repository of
// its own: a valid repository name, read back as the same package, and never the repository of another
// name (JSONStream and jsonstream are two packages).
import t from 'tap'
import fc from 'fast-check'
import { isRepoName } from '../plugins/hub/names.ts'
import { isPackageName, packageOf, repoOf } from '../plugins/npm/names.ts'
import { holds } from './helpers/fuzz.ts'

const FIRST = [...'abcxyzABCXYZ0189', '~', "'", '!', '(', ')', '*']
const REST = [...FIRST, '.', '_', '-']
const legacyName = fc
  .tuple(fc.constantFrom(...FIRST), fc.array(fc.constantFrom(...REST), { maxLength: 40 }))
  .map(([first, rest]) => first + rest.join(''))
const scopedName = fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/), fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/)).map(([s, n]) => `@${s}/${n}`)
const anyName = fc.oneof(legacyName, scopedName)

t.test('known names map as before, legacy names to a namespace of their own', async (t) => {
  t.equal(repoOf('left-pad'), 'npm/left-pad')
  t.equal(repoOf('@acme/util'), 'npm.acme/util')
  t.equal(repoOf('jsonstream'), 'npm/jsonstream')
  t.equal(repoOf('JSONStream'), 'npm._/0_j_s_o_n_stream')
  t.equal(repoOf('foo~bar'), 'npm._/0foo_7ebar')
  t.equal(packageOf('npm._/0_j_s_o_n_stream'), 'JSONStream')
  t.ok(isPackageName('JSONStream') && isPackageName("it's(1)!*"), 'legacy names are package names')
  t.notOk(isPackageName('_private') || isPackageName('.hidden') || isPackageName('-dash') || isPackageName('@Acme/util'), 'names npm never accepted are not')
  t.equal(repoOf('A'.repeat(40)), undefined, 'a name whose escape is over 64 characters cannot be stored')
  t.equal(packageOf('npm._/0_J'), undefined, 'a part the escape never makes is no package')
  t.equal(packageOf('npm._/0_a_5f'), 'A_', 'an escaped underscore reads back')
  t.equal(packageOf('npm._/0a_5f'), undefined, 'a_ is npm/a_: its escape is no package')
  t.equal(packageOf('npm._/0a_'), undefined, 'a dangling escape is no package')
  t.equal(packageOf('npm._/0abc'), undefined, 'nor is an escape of a name stored as it is (abc is npm/abc)')
})

t.test('a stored name is a valid repository that reads back as that name', async (t) => {
  await holds(
    t,
    'repoOf → packageOf round trip',
    fc.property(anyName, (name) => {
      const repo = repoOf(name)
      if (repo === undefined) return name.length > 21 // 21 characters escape to at most 64
      return isRepoName(repo) && packageOf(repo) === name
    }),
    3000,
  )
})

t.test('two names never share a repository', async (t) => {
  await holds(
    t,
    'repoOf is one to one',
    fc.property(anyName, anyName, (a, b) => a === b || repoOf(a) === undefined || repoOf(a) !== repoOf(b)),
    3000,
  )
  await holds(
    t,
    'a name differing only in case is another repository',
    fc.property(legacyName, (name) => name.toLowerCase() === name || repoOf(name.toLowerCase()) === undefined || repoOf(name) !== repoOf(name.toLowerCase())),
    3000,
  )
})
