// The built-in plugins, in setup order. A new protocol is a folder under plugins/ and a line here;
// the core (gateway/) does not change.
import type { GatewayPlugin } from '../gateway/plugin-api.ts'
import { adminPlugin } from './admin/index.ts'
import { federationPlugin } from './federation/index.ts'
import { forwardPlugin } from './forward/index.ts'
import { hubPlugin } from './hub/index.ts'
import { npmPlugin } from './npm/index.ts'
import { syncPlugin } from './sync/index.ts'
import { tunnelPlugin } from './tunnel/index.ts'

export const builtinPlugins: readonly GatewayPlugin[] = [forwardPlugin, hubPlugin, syncPlugin, federationPlugin, npmPlugin, tunnelPlugin, adminPlugin]
