// The `admin` plugin: the operator's web page at /admin (docs/admin.md). It reads what the other plugins
// offer as services (keys, sync status, npm status) and /health's detail; its only state, sign-in
// sessions, lives in the site's index.
import { section, type GatewayPlugin } from '../../gateway/plugin-api.ts'
import { FailureThrottle } from '../../gateway/util/failure-throttle.ts'
import type { KeyRing } from '../hub/keys.ts'
import type { IndexStore } from '../hub/store/index.ts'
import { hubSpec } from '../hub/options.ts'
import type { SyncAdmin } from '../sync/index.ts'
import type { SyncScheduler } from '../sync/scheduler.ts'
import type { SyncStatus } from '../sync/status.ts'
import { adminSpec } from './options.ts'
import { PageFiles } from './pages.ts'
import { adminRoutes } from './routes.ts'
import { Sessions } from './sessions.ts'
import { adminState } from './state.ts'

export const adminPlugin: GatewayPlugin = {
  name: 'admin',
  options: { admin: adminSpec },
  // Sign-in is with the hub's keys: without them there is no one to let in.
  enabled: (config) => section(config, 'admin', adminSpec).enabled && section(config, 'hub', hubSpec).enabled,
  setup({ config, clock, rootHealth, services, siteHealth }) {
    const o = section(config, 'admin', adminSpec)
    const syncStatus = services.get<SyncStatus>('syncStatus')
    const syncScheduler = services.get<SyncScheduler>('syncScheduler')
    const syncAdmin = services.get<SyncAdmin>('syncAdmin')
    const npmStatus = services.get<SyncStatus>('npmStatus')
    const npmScheduler = services.get<SyncScheduler>('npmScheduler')
    const routes = adminRoutes({
      site: config.site.name,
      files: new PageFiles(),
      // In the site's index, so every worker and node of the site knows every sign-in.
      sessions: new Sessions(services.need<IndexStore>('index'), { ttl: o.session, max: o.maxSessions }, clock),
      keys: services.need<KeyRing>('keys'),
      signInThrottle: new FailureThrottle(o.signInFailures, clock),
      state: () => adminState({ siteHealth, clock, rootHealth, syncStatus, syncAdmin, npmStatus }),
      sync: syncAdmin && syncScheduler && syncStatus ? { admin: syncAdmin, scheduler: syncScheduler, status: syncStatus } : undefined,
      npm: npmScheduler && npmStatus ? { scheduler: npmScheduler, status: npmStatus } : undefined,
    })
    return { routes }
  },
}
