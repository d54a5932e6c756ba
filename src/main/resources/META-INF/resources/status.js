'use strict';
// The status page: reads the REST API (role read) every two seconds and draws each pool's last hour with uPlot.
// Plain DOM, no framework; every figure goes in through textContent, never as HTML.
(() => {
  const REFRESH_MS = 2000;
  const TOKEN_KEY = 'coscale.token';
  const $ = (id) => document.getElementById(id);

  // What the page shows, open to the browser console (and to the page's browser test).
  const page = { token: sessionStorage.getItem(TOKEN_KEY) || '', pool: null, pools: [], samples: [], charts: {} };
  window.coscale = page;

  async function api(path) {
    const headers = page.token ? { Authorization: 'Bearer ' + page.token } : {};
    const response = await fetch(path, { headers, cache: 'no-store' });
    if (response.status === 401 || response.status === 403) {
      $('token-form').hidden = false;
      throw new Error(response.status === 401 ? 'A bearer token with the read role is needed.'
        : 'This token lacks the read role.');
    }
    if (!response.ok) {
      throw new Error(`${path}: HTTP ${response.status}`);
    }
    return response.json();
  }

  function cell(row, field, value, className) {
    const td = document.createElement('td');
    td.dataset.field = field;
    td.textContent = value === null || value === undefined ? '–' : String(value);
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
  }

  function age(iso, now) {
    if (!iso) {
      return 'never';
    }
    const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
    return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`;
  }

  function renderPools() {
    const now = Date.now();
    const body = $('pools').tBodies[0];
    body.replaceChildren(...page.pools.map((p) => {
      const row = document.createElement('tr');
      row.dataset.pool = p.name;
      row.classList.toggle('selected', p.name === page.pool);
      row.addEventListener('click', () => select(p.name).catch(showProblem));
      cell(row, 'name', p.name);
      cell(row, 'mode', p.mode, 'text');
      cell(row, 'desired', p.desiredCount);
      cell(row, 'bounds', `${p.minTasks}–${p.maxTasks}`);
      cell(row, 'running', p.runningCount);
      cell(row, 'pending', p.pendingCount);
      cell(row, 'busy', p.busyTasks);
      cell(row, 'protected', p.protectedTasks);
      // Tasks ECS stopped in the last hour without coscale letting them exit (Spot, retirement, OOM), by stopCode.
      const stops = Object.entries(p.stoppedTasks || {}).map(([code, n]) => `${code} ${n}`).join(', ');
      cell(row, 'stopped', stops, stops ? 'warn text' : 'text');
      row.lastChild.title = (p.recentStops || [])
        .map((s) => `${s.stoppedAt} ${s.taskArn.split('/').pop()} ${s.stopCode}: ${s.reason}`).join('\n');
      cell(row, 'visible', p.queue.visible);
      cell(row, 'inFlight', p.queue.inFlight);
      cell(row, 'delayed', p.queue.delayed);
      const dead = p.deadLetter ? p.deadLetter.visible : null;
      cell(row, 'deadLetter', dead, dead > 0 ? 'warn' : '');
      cell(row, 'observed', `ECS ${age(p.ecsObservedAt, now)}, SQS ${age(p.queue.observedAt, now)}`);
      cell(row, 'lastError', p.lastError || '', 'error');
      row.lastChild.title = p.lastError || '';
      return row;
    }));
  }

  function renderEvents(events) {
    $('events').replaceChildren(...events.map((e) => {
      const item = document.createElement('li');
      const at = document.createElement('time');
      at.dateTime = e.at;
      at.textContent = new Date(e.at).toLocaleTimeString();
      const kind = document.createElement('span');
      kind.className = `kind kind-${e.kind}`;
      kind.textContent = e.kind;
      const count = e.from !== null && e.to !== null ? ` ${e.from} → ${e.to}:` : '';
      item.append(at, kind, `${count} ${e.reason}`);
      item.dataset.kind = e.kind;
      return item;
    }));
  }

  // uPlot takes columns: times in seconds, then one array per series.
  function columns(samples, fields) {
    return [samples.map((s) => Date.parse(s.at) / 1000), ...fields.map((f) => samples.map((s) => s[f]))];
  }

  const CHARTS = {
    tasks: { fields: ['desired', 'running', 'busy'], labels: ['desired', 'running', 'busy'],
      colors: ['#3d6fd8', '#2e9d5b', '#d9822b'] },
    queue: { fields: ['visible', 'inFlight', 'deadLetter'], labels: ['queued', 'in flight', 'dead letters'],
      colors: ['#3d6fd8', '#8e5bd8', '#b3261e'] },
  };

  function chartWidth() {
    return Math.max(320, Math.min(640, (document.body.clientWidth - 80) / 2));
  }

  function drawCharts() {
    for (const [name, spec] of Object.entries(CHARTS)) {
      const data = columns(page.samples, spec.fields);
      if (page.charts[name]) {
        page.charts[name].setData(data);
        continue;
      }
      page.charts[name] = new uPlot({
        width: chartWidth(), height: 220,
        scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
        series: [{}, ...spec.labels.map((label, i) => ({ label, stroke: spec.colors[i], width: 2,
          points: { show: false } }))],
        axes: [{}, { size: 40 }],
      }, data, $(`chart-${name}`));
    }
  }

  function showProblem(e) {
    $('problem').textContent = e.message;
    $('problem').hidden = false;
  }

  // Shows the pool's charts and events; resolves once they are drawn.
  async function select(pool) {
    if (pool === page.pool) {
      return;
    }
    page.pool = pool;
    page.samples = [];
    Object.values(page.charts).forEach((c) => c.destroy());
    page.charts = {};
    $('pool-name').textContent = pool;
    $('detail').hidden = false;
    renderPools();
    await refreshPool();
  }

  async function refreshPool() {
    const pool = page.pool;
    const path = `v1/pools/${encodeURIComponent(pool)}`;
    const [events, samples] = await Promise.all([api(`${path}/events?limit=100`), api(`${path}/samples`)]);
    if (pool === page.pool) {
      renderEvents(events);
      page.samples = samples;
      drawCharts();
    }
  }

  async function refresh() {
    try {
      page.pools = await api('v1/pools');
      if (page.pool === null && page.pools.length > 0) {
        await select(page.pools[0].name);
      } else {
        renderPools();
        if (page.pool !== null) {
          await refreshPool();
        }
      }
      $('problem').hidden = true;
      const leader = page.pools.length > 0 ? page.pools[0].leader : null;
      $('leader').textContent = leader ? `leader ${leader.id} (epoch ${leader.epoch})` : 'no leader known';
      $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      showProblem(e);
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    page.token = $('token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, page.token);
    $('token-form').hidden = true;
  });
  window.addEventListener('resize', () => Object.values(page.charts).forEach((c) =>
    c.setSize({ width: chartWidth(), height: 220 })));
  refresh();
})();
