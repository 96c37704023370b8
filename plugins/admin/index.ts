// The `admin` plugin: the operator's web page at /admin (docs/admin.md). It reads what the other plugins
// offer as services (keys, sync status, npm status) and /health's detail; its only state, sign-in
// sessions, lives in the site's index.
import { section, type GatewayPlugin } from '../../gateway/plugin-api.ts'
import { FailureThrottle } from '../../gateway/util/failure-throttle.ts'
import { hubSpec } from '../hub/options.ts'
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
  needs: ['keys', 'index'],
  uses: ['syncStatus', 'syncScheduler', 'syncAdmin', 'syncLeader', 'npmStatus', 'npmScheduler', 'ownershipConflicts'],
  setup({ config, clock, rootHealth, services, siteHealth }) {
    const o = section(config, 'admin', adminSpec)
    const syncStatus = services.get('syncStatus')
    const syncScheduler = services.get('syncScheduler')
    const syncAdmin = services.get('syncAdmin')
    const syncLeader = services.get('syncLeader')
    const npmStatus = services.get('npmStatus')
    const npmScheduler = services.get('npmScheduler')
    const routes = adminRoutes({
      site: config.site.name,
      files: new PageFiles(),
      // In the site's index, so every worker and node of the site knows every sign-in.
      sessions: new Sessions(services.need('index'), { ttl: o.session, max: o.maxSessions }, clock),
      keys: services.need('keys'),
      signInThrottle: new FailureThrottle(o.signInFailures, clock),
      state: () => adminState({ siteHealth, clock, rootHealth, syncAdmin, syncLeader, npmStatus }),
      sync: syncAdmin && syncScheduler && syncStatus ? { admin: syncAdmin, scheduler: syncScheduler, status: syncStatus } : undefined,
      npm: npmScheduler && npmStatus ? { scheduler: npmScheduler, status: npmStatus } : undefined,
      conflicts: services.get('ownershipConflicts'),
    })
    return { routes }
  },
}
