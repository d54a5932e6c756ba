'use strict';
// The status page: reads the REST API (role read) every two seconds and draws each pool's last hour with uPlot.
// Plain DOM, no framework; every figure goes in through textContent, never as HTML.
(() => {
  const REFRESH_MS = 2000;
  // Pools per page: each status read asks ECS and SQS afresh, so a thousand pools are read a page at a time.
  // ?page-size=N shows fewer (the browser test pages through two pools).
  const PAGE_SIZE = Number(new URLSearchParams(window.location.search).get('page-size')) || 50;
  const TOKEN_KEY = 'coscale.token';
  const $ = (id) => document.getElementById(id);

  // What the page shows, open to the browser console (and to the page's browser test).
  // after: the last pool name of the page before (null on the first); before: the stack of pages already passed.
  const page = { token: sessionStorage.getItem(TOKEN_KEY) || '', pool: null, pools: [], samples: [], charts: {},
    after: null, before: [], next: null, total: 0 };
  window.coscale = page;

  async function api(path) {
    return (await fetched(path)).json();
  }

  async function fetched(path) {
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
    return response;
  }

  // One page of pools, in name order: its statuses, the name the next page starts after (null on the last, from the
  // Link header) and how many pools there are (X-Total-Count).
  async function poolsPage() {
    const after = page.after === null ? '' : `&next=${encodeURIComponent(page.after)}`;
    const response = await fetched(`v1/pools?limit=${PAGE_SIZE}${after}`);
    const link = /[?&]next=([^&>]*)[^>]*>;\s*rel="next"/.exec(response.headers.get('Link') || '');
    page.next = link ? decodeURIComponent(link[1]) : null;
    page.total = Number(response.headers.get('X-Total-Count') || 0);
    return response.json();
  }

  function renderPager() {
    const first = page.before.length * PAGE_SIZE;
    $('pager').hidden = page.before.length === 0 && page.next === null;
    $('page-info').textContent = page.pools.length === 0 ? ''
      : `pools ${first + 1}–${first + page.pools.length} of ${page.total}`;
    $('previous-page').disabled = page.before.length === 0;
    $('next-page').disabled = page.next === null;
  }

  async function turn(forward) {
    if (forward && page.next !== null) {
      page.before.push(page.after);
      page.after = page.next;
    } else if (!forward && page.before.length > 0) {
      page.after = page.before.pop();
    } else {
      return;
    }
    page.pools = await poolsPage();
    renderPools();
    renderPager();
  }

  // One time format for every time on the page: local time, 24-hour, with the zone ("14:05:09 CET").
  const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', timeZoneName: 'short' });
  const time = (ms) => CLOCK.format(new Date(ms));
  const ZONE = CLOCK.formatToParts(new Date()).find((part) => part.type === 'timeZoneName').value;
  // ECS task ids (32 hex digits), alone or at the end of an ARN, shortened the same way everywhere: the first 8.
  const shortTask = (idOrArn) => idOrArn.split('/').pop().slice(0, 8);
  // Server text (event reasons, stop reasons) with its task ARNs and ids shortened and its UTC times made local.
  const readable = (text) => text
    .replace(/arn:aws[a-z-]*:ecs:[^\s]*?task\/[^\s/]+\/[0-9a-f]{32}/g, shortTask)
    .replace(/\b[0-9a-f]{32}\b/g, shortTask)
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, (iso) => time(Date.parse(iso)));

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
      // None is 0, as every other count.
      const stops = Object.entries(p.stoppedTasks || {}).map(([code, n]) => `${code} ${n}`).join(', ');
      cell(row, 'stopped', stops || 0, stops ? 'warn text' : '');
      row.lastChild.title = (p.recentStops || [])
        .map((s) => `${time(Date.parse(s.stoppedAt))} ${shortTask(s.taskArn)} ${s.stopCode}: ${readable(s.reason)}`)
        .join('\n');
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
      at.textContent = time(Date.parse(e.at));
      const kind = document.createElement('span');
      kind.className = `kind kind-${e.kind}`;
      kind.textContent = e.kind;
      const count = e.from !== null && e.to !== null ? ` ${e.from} → ${e.to}:` : '';
      item.append(at, kind, `${count} ${readable(e.reason)}`);
      item.title = e.reason;
      item.dataset.kind = e.kind;
      return item;
    }));
  }

  // uPlot takes columns: times in seconds, then one array per series (a sample's field, or a figure of the pool).
  function columns(samples, series) {
    const pool = page.pools.find((p) => p.name === page.pool) || {};
    return [samples.map((s) => Date.parse(s.at) / 1000),
      ...series.map((d) => samples.map((s) => (d.field ? s[d.field] : d.ofPool(pool))))];
  }

  // Running is drawn wide and busy thin and dashed over it, so that a pool whose running tasks are all busy shows both.
  const CHARTS = {
    tasks: [
      { label: 'desired', field: 'desired', stroke: '#3d6fd8', width: 2 },
      { label: 'running', field: 'running', stroke: '#2e9d5b', width: 5 },
      { label: 'busy', field: 'busy', stroke: '#d9822b', width: 2, dash: [6, 4] },
      { label: 'pending', field: 'pending', stroke: '#8e5bd8', width: 2, dash: [2, 3] },
      { label: 'max', ofPool: (p) => (p.maxTasks === undefined ? null : p.maxTasks), stroke: '#8a93a3', width: 1,
        dash: [10, 5] },
    ],
    queue: [
      { label: 'queued', field: 'visible', stroke: '#3d6fd8', width: 2 },
      { label: 'in flight', field: 'inFlight', stroke: '#8e5bd8', width: 2 },
      { label: 'dead letters', field: 'deadLetter', stroke: '#b3261e', width: 2 },
    ],
  };

  // The legend shows the latest sample unless the pointer is on the chart: never "--" waiting for a hover.
  function latestInLegend(u) {
    const pointerOff = u.cursor.left == null || u.cursor.left < 0;
    const last = u.data[0].length - 1;
    if (pointerOff && last >= 0 && u.legend.idx !== last) {
      u.setLegend({ idx: last }, false);
    }
  }

  function chartWidth() {
    return Math.max(320, Math.min(640, (document.body.clientWidth - 80) / 2));
  }

  function drawCharts() {
    for (const [name, series] of Object.entries(CHARTS)) {
      const data = columns(page.samples, series);
      if (page.charts[name]) {
        page.charts[name].setData(data);
        latestInLegend(page.charts[name]);
        continue;
      }
      page.charts[name] = new uPlot({
        width: chartWidth(), height: 220,
        scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
        series: [{ label: 'time', value: (u, v) => (v == null ? '–' : time(v * 1000)) },
          ...series.map((d) => ({ label: d.label, stroke: d.stroke, width: d.width, dash: d.dash,
            points: { show: false }, value: (u, v) => (v == null ? '–' : String(v)) }))],
        axes: [{ label: `local time (${ZONE})`, labelSize: 18, space: 70,
          values: (u, splits) => splits.map((v) => time(v * 1000).replace(/\s.*$/, '')) }, { size: 40 }],
        hooks: { setLegend: [latestInLegend] },
      }, data, $(`chart-${name}`));
      latestInLegend(page.charts[name]);
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
      page.pools = await poolsPage();
      if (page.pools.length === 0 && page.before.length > 0) {
        // Pools deleted meanwhile emptied this page: back to the first.
        page.after = null;
        page.before = [];
        page.pools = await poolsPage();
      }
      renderPager();
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
      $('updated').textContent = `updated ${time(Date.now())}`;
    } catch (e) {
      showProblem(e);
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  $('previous-page').addEventListener('click', () => turn(false).catch(showProblem));
  $('next-page').addEventListener('click', () => turn(true).catch(showProblem));
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
