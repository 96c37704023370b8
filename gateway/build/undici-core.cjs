// What fedgate uses of undici (Pool, Agent, the Dispatcher methods, util), bundled in place of its index:
// the index also loads fetch, WebSocket, the caches, the mocks and the proxy agents (≈ 5 MiB of a site's
// RSS). gateway/build/build.mjs falls back to the whole package when an undici release moves these files.
'use strict'
const Dispatcher = require('undici/lib/dispatcher/dispatcher')
// As undici's index does: request(), stream(), … on every dispatcher.
Object.assign(Dispatcher.prototype, require('undici/lib/api'))
module.exports = {
  Dispatcher,
  Pool: require('undici/lib/dispatcher/pool'),
  Agent: require('undici/lib/dispatcher/agent'),
  util: require('undici/lib/core/util'),
  errors: require('undici/lib/core/errors'),
}
