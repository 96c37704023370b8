// `download: false` on a pull link passed the check: the option's default is false, so after parsing an
// explicit false could not be told from an absent one, and the link ran as pull, downloading, while its
// file seemed to say it would not. A custom action set at all on a link that is not custom is refused
// now, naming its line and path; left out, it passes as before.
import t from 'tap'
import { parseConfig, ConfigError } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'

const env = { TOKYO_TOKEN: 'fgt_' + 't'.repeat(40) }
const yaml = (link: string) => `site: { name: london, role: root, owns: [london/*] }
links:
  - name: tokyo
    url: https://127.0.0.1:9443
    token: \${TOKYO_TOKEN}
    repositories: [tokyo/*]
${link}`

function refusal(link: string): string | undefined {
  try {
    parseConfig(yaml(link), '/tmp/site.yaml', builtinPlugins, env)
    return undefined
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    return e.message
  }
}

t.test('an explicit false custom action on a pull or push link is refused; left out, it passes', async (t) => {
  t.match(refusal('    mode: pull\n    download: false\n'), /^site\.yaml:8:\d+: links\[0\]\.download: only a custom link takes download: mode pull decides/, 'download: false on pull: the line and the path')
  t.match(refusal('    mode: push\n    deleteUploaded: false\n'), /links\[0\]\.deleteUploaded: only a custom link takes deleteUploaded: mode push decides/, 'deleteUploaded: false on push')
  t.equal(refusal('    mode: pull\n'), undefined, 'a pull link without download passes')
  t.equal(refusal('    mode: custom\n    download: false\n    upload: true\n'), undefined, 'a custom link takes download: false')
})
