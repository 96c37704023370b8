// fedgate admin page: reads /admin/api/state every second and updates the page in place (no reload).
// Changes go to /admin/api/* with the session's CSRF token in a header. Data is written with textContent
// only, never as HTML.
'use strict'
;(() => {
  const page = document.body.dataset.page
  const csrf = document.querySelector('meta[name="csrf"]').content
  const $ = (id) => document.getElementById(id)
  const POLL_MS = 1000

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { 'x-fedgate-csrf': csrf } : { 'x-fedgate-csrf': csrf, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    // The session ended (expired, signed out elsewhere, its key disabled): back to the sign-in form.
    if (res.status === 401) {
      location.assign('/admin')
      throw new Error('signed out')
    }
    const data = await res.json().catch(() => ({}))
    // The catalogue's body: {"error": {"code", "message"}}; the message names the problem.
    if (!res.ok) throw new Error((data.error && data.error.message) || `HTTP ${res.status}`)
    return data
  }

  const setText = (el, text) => {
    if (el && el.textContent !== String(text)) el.textContent = String(text)
  }
  const bytes = (n) => {
    if (n == null) return '–'
    const u = ['B', 'KB', 'MB', 'GB', 'TB']
    let i = 0
    while (n >= 1024 && i < u.length - 1) (n /= 1024), i++
    return `${n.toFixed(i === 0 ? 0 : 1)} ${u[i]}`
  }
  const duration = (s) => {
    if (s == null) return '–'
    if (s < 60) return `${Math.round(s)} s`
    if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
    if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
    return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`
  }
  const time = (iso) => (iso ? new Date(iso).toLocaleString() : '–')
  const TONE = { leads: 'ok', up: 'ok', 'in-sync': 'ok', live: 'ok', closed: 'ok', enabled: 'ok', down: 'bad', failing: 'bad', open: 'bad', disabled: 'bad', recovering: 'warn', stale: 'warn', 'half-open': 'warn', syncing: 'warn', queued: 'warn', polling: 'warn' }
  const LABEL = { 'in-sync': 'in sync' }
  function badge(el, state) {
    el.className = `badge ${TONE[state] || ''}`
    setText(el, LABEL[state] || state)
  }
  /** The row's header cell (its name, for screen readers), first in the row. */
  function rowHeader(tr, text) {
    const th = document.createElement('th')
    th.scope = 'row'
    th.textContent = text
    tr.appendChild(th)
  }
  function cell(tr, i, cls) {
    while (tr.cells.length <= i) tr.insertCell()
    const td = tr.cells[i]
    if (cls) td.className = cls
    return td
  }
  /** Keeps one row per key in `tbody`, updating rows in place so focus and clicks survive each update. */
  function syncRows(tbody, items, keyOf, make, update) {
    const seen = new Set()
    for (const item of items) {
      const key = keyOf(item)
      seen.add(key)
      let tr = [...tbody.rows].find((r) => r.dataset.key === key)
      if (!tr) {
        tr = tbody.insertRow()
        tr.dataset.key = key
        make(tr, item)
      }
      update(tr, item)
    }
    for (const tr of [...tbody.rows]) if (!seen.has(tr.dataset.key)) tr.remove()
  }

  // ── overview ────────────────────────────────────────────────────────────────────────────────────
  let previous
  function overview(s) {
    setText($('role'), s.role)
    const now = Date.parse(s.now)
    setText($('uptime'), duration((now - Date.parse(s.startedAt)) / 1000))
    setText($('started'), time(s.startedAt))
    if (s.root) {
      badge($('root-state'), s.root.state)
      setText($('root-since'), `${time(s.root.since)} (${duration((now - Date.parse(s.root.since)) / 1000)} ago)`)
      setText($('root-url'), s.root.url)
    } else {
      badge($('root-state'), 'none (this site is the root)')
      setText($('root-since'), '–')
      setText($('root-url'), '–')
    }
    setText($('circuit'), s.circuit ?? '–')
    const total = s.requests ? s.requests.total : 0
    if (previous && now > previous.now) setText($('rate'), `${((total - previous.total) / ((now - previous.now) / 1000)).toFixed(1)} requests/s`)
    previous = { total, now }
    setText($('requests-total'), total)
    setText($('in-flight'), s.requests ? s.requests.inFlight : 0)
    setText($('forward'), s.forward && s.forward.connections ? `${s.forward.connections.busy} busy, ${s.forward.connections.waiting} waiting` : '–')
    const counts = {}
    for (const r of s.federation ? s.federation.repos : []) counts[r.state] = (counts[r.state] || 0) + 1
    const npmCounts = {}
    for (const p of s.npm ? s.npm.packages : []) npmCounts[p.state] = (npmCounts[p.state] || 0) + 1
    const dl = $('sync-counts')
    const lines = [
      ['Repositories', summary(counts, s.federation)],
      ['npm packages', summary(npmCounts, s.npm)],
      ['Change stream', s.federation ? s.federation.upstream.stream.state : '–'],
    ]
    if (dl.children.length !== lines.length * 2) {
      dl.replaceChildren(...lines.flatMap(([k]) => [Object.assign(document.createElement('dt'), { textContent: k }), document.createElement('dd')]))
    }
    lines.forEach(([, v], i) => setText(dl.children[i * 2 + 1], v))
    leader(s.leader)
    cache(s.forward && s.forward.cache)
    const errors = []
    if (s.root && s.root.lastError && s.root.state !== 'up') errors.push(`Root: ${s.root.lastError}`)
    for (const r of s.federation ? s.federation.repos : []) if (r.error) errors.push(`${r.name}: ${r.error}`)
    for (const p of s.npm ? s.npm.packages : []) if (p.error) errors.push(`npm ${p.name}: ${p.error}`)
    if (s.federation && s.federation.upstream.stream.reason) errors.push(`Change stream: ${s.federation.upstream.stream.reason}`)
    const ul = $('errors')
    const want = errors.length ? errors : ['None.']
    if ([...ul.children].map((li) => li.textContent).join('\n') !== want.join('\n')) ul.replaceChildren(...want.map((e) => Object.assign(document.createElement('li'), { textContent: e })))
  }
  function leader(l) {
    if (!l) {
      badge($('leader-state'), 'no sync here')
      for (const id of ['leader-holder', 'leader-until', 'leader-self']) setText($(id), '–')
      return
    }
    badge($('leader-state'), l.leading ? 'leads' : 'follows')
    setText($('leader-holder'), l.holder == null ? 'unknown (the index cannot be read)' : l.holder === l.self ? `this process (${l.holder})` : l.holder)
    setText($('leader-until'), l.until ? time(l.until) : l.holder == null ? '–' : 'no end set')
    setText($('leader-self'), l.self)
  }
  function cache(c) {
    $('cache-off').hidden = Boolean(c)
    $('cache').hidden = !c
    if (!c) return
    const of = (n, max) => `${bytes(n)} of ${bytes(max)}${max > 0 ? ` (${Math.round((n / max) * 100)}%)` : ''}`
    setText($('cache-entries'), c.entries)
    setText($('cache-disk'), of(c.bytes, c.maxBytes))
    setText($('cache-memory'), of(c.memoryBytes, c.maxMemoryBytes))
    setText($('cache-hits'), c.hit)
    setText($('cache-misses'), c.miss)
    setText($('cache-revalidated'), c.revalidated)
    setText($('cache-stale'), c.stale)
    setText($('cache-shared'), `${c.coalesced} reads; ${c.alone} went to the root alone`)
    setText($('cache-not-stored'), c.notStored)
  }
  function summary(counts, section) {
    if (!section) return 'not synchronized here'
    const parts = Object.entries(counts).map(([k, n]) => `${n} ${LABEL[k] || k}`)
    return parts.length ? parts.join(', ') : 'none'
  }

  // ── federation ──────────────────────────────────────────────────────────────────────────────────
  function statusRows(tbody, items, kind) {
    syncRows(
      tbody,
      items,
      (r) => r.name,
      (tr, r) => {
        rowHeader(tr, r.name)
        cell(tr, 1).appendChild(document.createElement('span'))
        const bar = document.createElement('progress')
        bar.setAttribute('aria-label', `${r.name} progress`)
        const txt = document.createElement('span')
        txt.className = 'progress-text'
        cell(tr, 4).append(bar, ' ', txt)
        const btn = document.createElement('button')
        btn.type = 'button'
        btn.className = 'secondary'
        btn.textContent = 'Sync now'
        btn.setAttribute('aria-label', `Sync now: ${r.name}`)
        btn.addEventListener('click', async () => {
          btn.disabled = true
          try {
            await api('POST', '/admin/api/sync', { kind, name: r.name })
          } catch (err) {
            setText($('add-result'), `Sync of ${r.name}: ${err.message}`)
          } finally {
            btn.disabled = false
          }
        })
        cell(tr, 9).appendChild(btn)
      },
      (tr, r) => {
        badge(tr.cells[1].firstChild, r.state)
        setText(cell(tr, 2), r.revision || '–')
        setText(cell(tr, 3), r.upstreamRevision ?? '–')
        const bar = tr.cells[4].querySelector('progress')
        if (r.bytesTotal > 0) {
          bar.max = r.bytesTotal
          bar.value = r.bytesDone
        } else if (r.state === 'in-sync') {
          bar.max = 1
          bar.value = 1
        } else bar.removeAttribute('value')
        setText(tr.cells[4].querySelector('.progress-text'), r.bytesTotal > 0 ? `${bytes(r.bytesDone)} of ${bytes(r.bytesTotal)}` : '')
        setText(cell(tr, 5), bytes(r.bytesToFetch))
        setText(cell(tr, 6), r.lagSeconds == null ? '–' : `${duration(r.lagSeconds)} ago`)
        setText(cell(tr, 7), r.failures)
        setText(cell(tr, 8), time(r.nextTry))
        setText(cell(tr, 10, 'wrap'), r.error || '')
      },
    )
  }
  function federation(s) {
    const f = s.federation
    setText($('upstream-url'), f ? f.upstream.url : 'none: this site synchronizes nothing (role root)')
    setText($('upstream-stream'), f ? f.upstream.stream.state + (f.upstream.stream.reason ? ` (${f.upstream.stream.reason})` : '') : '–')
    $('add-repo').hidden = !f
    statusRows($('repos').tBodies[0], f ? f.repos : [], 'repo')
    $('repos-empty').hidden = Boolean(f && f.repos.length)
    $('repos').hidden = !(f && f.repos.length)
    const pk = s.npm ? s.npm.packages : []
    statusRows($('npm').tBodies[0], pk, 'npm')
    $('npm-empty').hidden = pk.length > 0
    $('npm').hidden = pk.length === 0
  }
  function federationForms() {
    $('add-repo').addEventListener('submit', async (e) => {
      e.preventDefault()
      const input = $('repo-name')
      const name = input.value.trim()
      try {
        const r = await api('POST', '/admin/api/repos', { name })
        setText($('add-result'), r.added ? `Added ${name}; its sync has started.` : `${name} was already synchronized here.`)
        input.value = ''
        tick()
      } catch (err) {
        setText($('add-result'), `Not added: ${err.message}`)
      }
    })
  }

  // ── keys ────────────────────────────────────────────────────────────────────────────────────────
  function showKey(text, key) {
    const box = $('new-key')
    const p = document.createElement('p')
    p.textContent = text
    const code = document.createElement('code')
    code.id = 'new-key-value'
    code.textContent = key
    const hint = document.createElement('p')
    hint.textContent = 'Copy it now: it is not shown again, and the site keeps only its hash.'
    const done = document.createElement('button')
    done.type = 'button'
    done.className = 'secondary'
    done.textContent = 'Done, hide it'
    done.addEventListener('click', () => box.replaceChildren())
    box.replaceChildren(p, code, hint, done)
  }
  async function keys() {
    const { keys } = await api('GET', '/admin/api/keys')
    syncRows(
      $('keys').tBodies[0],
      keys,
      (k) => k.id,
      (tr, k) => {
        rowHeader(tr, k.name)
        cell(tr, 4).appendChild(document.createElement('span'))
        const actions = cell(tr, 7)
        for (const action of ['disable', 'enable', 'recreate']) {
          const b = document.createElement('button')
          b.type = 'button'
          b.className = 'secondary'
          b.dataset.action = action
          b.textContent = action[0].toUpperCase() + action.slice(1)
          b.setAttribute('aria-label', `${b.textContent} key ${k.name}`)
          b.addEventListener('click', async () => {
            if (action === 'recreate' && !confirm(`Recreate ${k.name}? Its current secret stops working at once.`)) return
            try {
              const r = await api('POST', `/admin/api/keys/${k.id}/${action}`, {})
              if (r.key) showKey(`New secret for ${r.name}:`, r.key)
              setText($('key-result'), `${k.name}: ${action}d.`)
              keys()
            } catch (err) {
              setText($('key-result'), `${k.name}: ${err.message}`)
            }
          })
          actions.append(b, ' ')
        }
      },
      (tr, k) => {
        setText(cell(tr, 1), k.id)
        setText(cell(tr, 2), k.scope)
        setText(cell(tr, 3, 'wrap'), k.namespaces.join(', ') || '–')
        badge(tr.cells[4].firstChild, k.disabled ? 'disabled' : 'enabled')
        setText(cell(tr, 5), time(k.createdAt))
        setText(cell(tr, 6), time(k.updatedAt))
        tr.querySelector('[data-action="disable"]').hidden = k.disabled
        tr.querySelector('[data-action="enable"]').hidden = !k.disabled
      },
    )
  }
  function keyForms() {
    $('create-key').addEventListener('submit', async (e) => {
      e.preventDefault()
      const namespaces = $('key-namespaces').value.split(',').map((s) => s.trim()).filter(Boolean)
      try {
        const r = await api('POST', '/admin/api/keys', { name: $('key-name').value.trim(), scope: $('key-scope').value, ...(namespaces.length ? { namespaces } : {}) })
        showKey(`Key ${r.name} (${r.scope}) created:`, r.key)
        $('create-key').reset()
        keys()
      } catch (err) {
        setText($('key-result'), `Not created: ${err.message}`)
      }
    })
  }

  // ── tunnels and links ───────────────────────────────────────────────────────────────────────────
  function tunnels(s) {
    syncRows(
      $('tunnels').tBodies[0],
      s.tunnels,
      (t) => t.path,
      (tr, t) => {
        rowHeader(tr, t.path)
      },
      (tr, t) => {
        const refused = Object.values(t.refused || {}).reduce((a, b) => a + b, 0)
        setText(cell(tr, 1), t.upstream)
        setText(cell(tr, 2), t.open)
        setText(cell(tr, 3), t.opened)
        setText(cell(tr, 4), refused)
        setText(cell(tr, 5), t.refused ? t.refused.throttled : 0)
        setText(cell(tr, 6), t.refused ? t.refused.token : 0)
        setText(cell(tr, 7, 'wrap'), (t.throttledAddresses || []).map((a) => `${a.address} (${a.retryAfter} s)`).join(', ') || 'none')
      },
    )
    $('tunnels-empty').hidden = s.tunnels.length > 0
    $('tunnels').hidden = s.tunnels.length === 0
  }
  function links(s) {
    // The federation plugin's links, { name, direction, state, ... } each. An incoming and an outgoing
    // link may share a name (a middle site): a row is a name and a direction.
    const list = Array.isArray(s.links) ? s.links : s.links && Array.isArray(s.links.links) ? s.links.links : []
    const title = (l) => (l.direction ? `${l.name ?? l.id} (${l.direction})` : String(l.name ?? l.id))
    $('links-none').hidden = list.length > 0
    $('links').hidden = list.length === 0
    syncRows(
      $('links').tBodies[0],
      list,
      title,
      (tr, l) => {
        rowHeader(tr, title(l))
        cell(tr, 1).appendChild(document.createElement('span'))
      },
      (tr, l) => {
        badge(tr.cells[1].firstChild, String(l.state ?? 'unknown'))
        const { name: _n, id: _i, state: _s, direction: _d, ...rest } = l
        setText(cell(tr, 2, 'wrap'), Object.entries(rest).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('; '))
      },
    )
  }

  function ownershipConflicts(s) {
    // Values set aside for another site's (docs/federation.md, "Ownership learnt late"); a tag may hold
    // more than one (set aside at different times): a row is a value, Dismiss takes the tag's all.
    const list = Array.isArray(s.ownershipConflicts) ? s.ownershipConflicts : []
    $('conflicts-none').hidden = list.length > 0
    $('ownership-conflicts').hidden = list.length === 0
    syncRows(
      $('ownership-conflicts').tBodies[0],
      list,
      (c) => `${c.repo}:${c.tag} ${c.digest} ${c.setAsideAt}`,
      (tr, c) => {
        const name = `${c.repo}:${c.tag}`
        rowHeader(tr, name)
        const btn = document.createElement('button')
        btn.type = 'button'
        btn.className = 'secondary'
        btn.textContent = 'Dismiss'
        btn.setAttribute('aria-label', `Dismiss the ownership conflict of ${name}`)
        btn.addEventListener('click', async () => {
          if (!confirm(`Dismiss ${name}? Its value ${c.digest} is no longer kept: its blob may be collected once store.collect.grace has passed, unless something else references it.`)) return
          btn.disabled = true
          try {
            await api('POST', '/admin/api/links/dismiss-conflict', { repo: c.repo, tag: c.tag })
            setText($('conflict-result'), `${name} dismissed.`)
            tick()
          } catch (err) {
            setText($('conflict-result'), `${name}: ${err.message}`)
          } finally {
            btn.disabled = false
          }
        })
        cell(tr, 6).appendChild(btn)
      },
      (tr, c) => {
        setText(cell(tr, 1, 'wrap'), c.digest)
        setText(cell(tr, 2), bytes(c.size))
        setText(cell(tr, 3), c.owner)
        setText(cell(tr, 4), time(c.setAsideAt))
        setText(cell(tr, 5), time(c.publishedAt))
      },
    )
  }

  // ── the loop ────────────────────────────────────────────────────────────────────────────────────
  const render = {
    overview,
    federation,
    tunnels,
    links: (s) => {
      links(s)
      ownershipConflicts(s)
    },
    keys: () => keys(),
  }
  let timer
  async function tick() {
    clearTimeout(timer)
    try {
      const s = await api('GET', '/admin/api/state')
      await render[page](s)
      setText($('connection'), `Live: updated ${new Date().toLocaleTimeString()}`)
    } catch (err) {
      setText($('connection'), `Cannot reach the site: ${err.message}`)
    }
    timer = setTimeout(tick, POLL_MS)
  }
  $('sign-out').addEventListener('click', async () => {
    try {
      await api('POST', '/admin/api/sign-out', {})
    } finally {
      location.assign('/admin')
    }
  })
  if (page === 'federation') federationForms()
  if (page === 'keys') keyForms()
  tick()
})()
