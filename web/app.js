// The dashboard's page: forms made from the stages' declared settings, jobs followed by server-sent events.
// Plain JavaScript, no build step. uPlot (served from its npm package) draws the loss chart.
const $ = (s) => document.querySelector(s);
const kebab = (k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};

async function api(path, options = {}) {
  const headers = options.body ? { 'content-type': 'application/json' } : {};
  const r = await fetch(path, { headers, ...options });
  const body = await r.json().catch(() => ({}));
  return { ok: r.ok, status: r.status, body };
}

let stages = {};
let stageName = '';
let selected = '';
let source;
let chart;
let series = [];
let data = [[]];
let lastPreview = 0;

/** One form field from a setting's declaration. */
function field(name, spec) {
  const id = `f-${name}`;
  let input;
  if (spec.type === 'boolean') {
    input = el('input', { type: 'checkbox', id, checked: spec.default === true });
  } else if (spec.choices) {
    input = el('select', { id }, ...spec.choices.map((c) => el('option', { value: c, textContent: c })));
    input.value = spec.default ?? spec.choices[0];
  } else {
    input = el('input', {
      id,
      type: spec.type === 'int' || spec.type === 'number' ? 'number' : 'text',
      placeholder: spec.default !== undefined ? String(spec.default) : spec.type === 'list' ? 'a, b, c' : '',
    });
    if (spec.type === 'int') input.step = '1';
    if (spec.type === 'number') input.step = 'any';
  }
  input.dataset.name = name;
  const label = el('label', { htmlFor: id, textContent: `${kebab(name)}${spec.required ? ' *' : ''}` });
  const help = el('small', { textContent: `${spec.help}${spec.path ? ' (inside the workspace)' : ''}` });
  const error = el('p', { className: 'error' });
  error.dataset.for = name;
  const div = el('div', { className: 'field' }, label, input, help, error);
  div.dataset.field = name;
  return div;
}

function showStage(name) {
  stageName = name;
  for (const b of document.querySelectorAll('#stages button')) b.setAttribute('aria-selected', b.value === name);
  const { summary, schema } = stages[name];
  $('#stage-summary').textContent = summary;
  $('#fields').replaceChildren();
  $('#more-fields').replaceChildren();
  for (const [k, spec] of Object.entries(schema))
    (spec.required || spec.path ? $('#fields') : $('#more-fields')).append(field(k, spec));
  $('#start').textContent = `Start ${name}`;
  $('#form-error').textContent = '';
}

/** The form's values, typed by the settings' declarations; untouched fields are left to the stage's defaults. */
function values() {
  const out = {};
  for (const input of document.querySelectorAll('#job-form [data-name]')) {
    const name = input.dataset.name;
    const spec = stages[stageName].schema[name];
    if (spec.type === 'boolean') {
      if (input.checked !== (spec.default === true)) out[name] = input.checked;
    } else if (spec.choices) {
      if (input.value !== spec.default) out[name] = input.value;
    } else if (input.value.trim() !== '') {
      const v = input.value.trim();
      out[name] =
        spec.type === 'int' || spec.type === 'number'
          ? Number(v)
          : spec.type === 'list'
            ? v
                .split(/[,\n]/)
                .map((s) => s.trim())
                .filter(Boolean)
            : v;
    }
  }
  return out;
}

async function submit(e) {
  e.preventDefault();
  for (const f of document.querySelectorAll('.field')) f.classList.remove('invalid');
  for (const p of document.querySelectorAll('.field .error')) p.textContent = '';
  const r = await api('/api/jobs', { method: 'POST', body: JSON.stringify({ stage: stageName, options: values() }) });
  if (!r.ok) {
    $('#form-error').textContent = r.body.error ?? `Refused (${r.status}).`;
    for (const [name, message] of Object.entries(r.body.errors ?? {})) {
      const f = document.querySelector(`[data-field="${name}"]`);
      if (f) {
        f.classList.add('invalid');
        f.querySelector('.error').textContent = message;
        $('#more').open ||= f.parentElement.id === 'more-fields';
      }
    }
    return;
  }
  $('#form-error').textContent = '';
  await refreshJobs();
  select(r.body.id);
}

async function refreshJobs() {
  const r = await api('/api/jobs');
  if (!r.ok) return;
  const rows = r.body.map((j) => {
    const tr = el(
      'tr',
      {},
      el('td', { textContent: j.id }),
      el('td', { textContent: j.stage }),
      el('td', { textContent: j.state, className: `state-${j.state}` }),
      el('td', { textContent: j.started ? new Date(j.started).toLocaleTimeString() : '' }),
    );
    tr.dataset.job = j.id;
    tr.classList.toggle('selected', j.id === selected);
    tr.onclick = () => select(j.id);
    return tr;
  });
  $('#jobs tbody').replaceChildren(...rows);
}

function resetChart() {
  chart?.destroy();
  chart = undefined;
  series = [];
  data = [[]];
  $('#chart').dataset.points = '0';
}

/** Adds a progress event's figures (losses) to the chart, at its iteration. */
function plot(p) {
  const keys = Object.keys(p.figures ?? {}).filter((k) => k !== 'examplesPerSecond' && Number.isFinite(p.figures[k]));
  if (!keys.length || p.stage !== 'train') return;
  if (!chart || keys.join() !== series.join()) {
    resetChart();
    series = keys;
    data = [[], ...keys.map(() => [])];
    const colours = ['#2a62d8', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#5d4037', '#9e9d24'];
    chart = new uPlot(
      {
        width: Math.max(300, Math.min(900, $('#job').clientWidth - 40)),
        height: 260,
        title: 'losses',
        scales: { x: { time: false } },
        axes: [{ label: 'iteration' }, {}],
        series: [{ label: 'iteration' }, ...keys.map((k, i) => ({ label: k, stroke: colours[i % colours.length] }))],
      },
      data,
      $('#chart'),
    );
  }
  if (data[0].length && p.done <= data[0].at(-1)) return;
  data[0].push(p.done);
  keys.forEach((k, i) => data[i + 1].push(p.figures[k]));
  chart.setData(data);
  $('#chart').dataset.points = String(data[0].length);
}

function showPreview(job) {
  if (job.stage !== 'train' || Date.now() - lastPreview < 2000) return;
  lastPreview = Date.now();
  const img = $('#preview');
  const path = `${job.resolved.modelDir}/previews/preview.png`;
  const probe = new Image();
  probe.onload = () => {
    img.src = probe.src;
    img.dataset.loaded = String(Number(img.dataset.loaded) + 1);
    $('#preview-figure').hidden = false;
  };
  probe.src = `/api/files?path=${encodeURIComponent(path)}&t=${Date.now()}`;
}

const fileUrl = (path, download) => `/api/files?path=${encodeURIComponent(path)}${download ? '&download=1' : ''}`;

/** What a finished job made: pictures (a photo beside the one it came from), videos with a player, reports. */
async function showResults(id) {
  const r = await api(`/api/jobs/${id}/results`);
  if (!r.ok || selected !== id) return;
  const figures = r.body.map((f) => {
    const media =
      f.kind === 'video'
        ? el('video', { src: fileUrl(f.path), controls: true, preload: 'metadata' })
        : f.kind === 'image'
          ? el('img', { src: fileUrl(f.path), alt: f.path })
          : el('a', { href: fileUrl(f.path), target: '_blank', rel: 'noopener', textContent: `open ${f.path}` });
    const shown = f.before
      ? el('div', { className: 'pair' }, el('img', { src: fileUrl(f.before), alt: `before: ${f.before}` }), media)
      : media;
    const label = f.label
      ? `labelled synthetic in its metadata: IPTC ${f.label.split('/').pop()}`
      : f.kind === 'report'
        ? 'report'
        : 'no synthetic label in its metadata';
    const caption = el(
      'figcaption',
      {},
      `${f.before ? `${f.before} → ` : ''}${f.path} `,
      el('a', { href: fileUrl(f.path, true), textContent: 'download' }),
      el('div', { className: 'label', textContent: label }),
    );
    const fig = el('figure', {}, shown, caption);
    fig.dataset.kind = f.kind;
    if (f.label) fig.dataset.label = f.label;
    return fig;
  });
  $('#results').replaceChildren(...figures);
  $('#results').dataset.count = String(figures.length);
}

async function select(id) {
  selected = id;
  source?.close();
  resetChart();
  lastPreview = 0;
  const job = (await api(`/api/jobs/${id}`)).body;
  if (selected !== id) return; // another job was picked meanwhile
  $('#job').hidden = false;
  $('#job-id').textContent = id;
  $('#job-stage').textContent = job.stage;
  $('#job-log').href = fileUrl(`.facegan/jobs/${id}/log.txt`);
  $('#events').replaceChildren();
  $('#results').replaceChildren();
  $('#results').dataset.count = '0';
  $('#job-progress').textContent = '';
  $('#preview-figure').hidden = true;
  for (const tr of document.querySelectorAll('#jobs tbody tr')) tr.classList.toggle('selected', tr.dataset.job === id);
  source = new EventSource(`/api/jobs/${id}/events`);
  source.onmessage = (m) => {
    if (selected !== id) return;
    const e = JSON.parse(m.data);
    if (e.type === 'progress') {
      const eta = e.eta == null ? '' : `, ${Math.round(e.eta)} s left`;
      const images = e.figures?.examplesPerSecond ? `, ${e.figures.examplesPerSecond.toFixed(1)} images/s` : '';
      $('#job-progress').textContent =
        `${e.done} / ${e.total} ${e.unit} (${e.rate.toFixed(2)} ${e.unit}/s${images}${eta})`;
      $('#job-progress').dataset.done = String(e.done);
      plot(e);
      showPreview(job);
    } else if (e.type === 'state') {
      $('#job-state').textContent = e.state;
      $('#job-state').className = `state-${e.state}`;
      $('#job-error').textContent = e.error?.message ?? '';
      $('#stop').disabled = !['queued', 'running'].includes(e.state);
      $('#resume').disabled = ['queued', 'running'].includes(e.state);
      lastPreview = 0;
      showPreview(job);
      refreshJobs();
      if (e.state === 'done') showResults(id);
    } else if (['warning', 'error', 'started', 'eval'].includes(e.type)) {
      const text =
        e.type === 'started'
          ? `run ${e.run} started`
          : e.type === 'eval'
            ? `eval at ${e.iteration}: ${e.lines.join('; ')}`
            : `${e.type}: ${e.message}`;
      $('#events').append(el('li', { textContent: text }));
    }
  };
}

$('#stop').onclick = async () => {
  await api(`/api/jobs/${selected}/stop`, { method: 'POST' });
  refreshJobs();
};
$('#resume').onclick = async () => {
  await api(`/api/jobs/${selected}/resume`, { method: 'POST' });
  select(selected);
};
$('#job-form').onsubmit = submit;

// ---- the faces browser ----
let faces = [];
const picked = new Set();
const SORTS = {
  identity: (a, b) => b.identity - a.identity,
  blur: (a, b) => a.blur - b.blur,
  pose: (a, b) => Math.abs(b.yaw) + Math.abs(b.pitch) - Math.abs(a.yaw) - Math.abs(a.pitch),
  size: (a, b) => a.box - b.box,
  file: (a, b) => (a.file < b.file ? -1 : 1),
};

function showFaces() {
  const dir = $('#faces-dir').value.trim();
  const sorted = [...faces].sort(SORTS[$('#faces-sort').value]);
  const ns = 'http://www.w3.org/2000/svg';
  $('#faces').replaceChildren(
    ...sorted.map((f) => {
      const img = el('img', {
        src: `/api/files?path=${encodeURIComponent(`${dir}/${f.file}`)}`,
        alt: f.file,
        loading: 'lazy',
      });
      const svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('viewBox', `0 0 ${f.size} ${f.size}`);
      for (const [x, y] of f.landmarks) {
        const c = document.createElementNS(ns, 'circle');
        c.setAttribute('cx', x);
        c.setAttribute('cy', y);
        c.setAttribute('r', f.size / 128);
        svg.append(c);
      }
      const caption = el('span', {
        textContent:
          `blur ${f.blur.toFixed(0)} · yaw ${f.yaw.toFixed(0)}° · ` +
          `id ${f.identity < 0 ? '-' : f.identity.toFixed(2)}`,
      });
      const card = el('div', { className: 'face', title: `${f.file} (frame ${f.frame})` }, img, svg, caption);
      card.dataset.file = f.file;
      card.classList.toggle('selected', picked.has(f.file));
      card.onclick = () => {
        if (picked.has(f.file)) picked.delete(f.file);
        else picked.add(f.file);
        card.classList.toggle('selected', picked.has(f.file));
        $('#faces-remove').disabled = !picked.size;
      };
      return card;
    }),
  );
  $('#faces').dataset.count = String(sorted.length);
}

async function loadFaces(e) {
  e?.preventDefault();
  picked.clear();
  $('#faces-remove').disabled = true;
  const r = await api(`/api/faces?dir=${encodeURIComponent($('#faces-dir').value.trim())}`);
  if (!r.ok) {
    faces = [];
    showFaces();
    $('#faces-status').textContent = r.body.error ?? `Refused (${r.status}).`;
    return;
  }
  faces = r.body.faces;
  const skipped = r.body.unreadable.length ? `, ${r.body.unreadable.length} files without a face record` : '';
  $('#faces-status').textContent = `${faces.length} faces${skipped}${r.body.more ? ' (the first 2000)' : ''}`;
  showFaces();
}

$('#faces-form').onsubmit = loadFaces;
$('#faces-sort').onchange = showFaces;
$('#faces-remove').onclick = async () => {
  const alignments = $('#faces-alignments').value.trim();
  const what = `${picked.size} faces${alignments ? ` (and from ${alignments})` : ''}`;
  if (!confirm(`Remove ${what}? The crops are moved aside, not deleted.`)) return;
  const body = { dir: $('#faces-dir').value.trim(), files: [...picked], ...(alignments ? { alignments } : {}) };
  const r = await api('/api/faces/remove', { method: 'POST', body: JSON.stringify(body) });
  await loadFaces();
  $('#faces-status').textContent = r.ok
    ? `moved ${r.body.moved} crops to ${r.body.to}` +
      `${r.body.backup ? `; the alignments file kept ${r.body.kept} faces (backup ${r.body.backup})` : ''}`
    : (r.body.error ?? `Refused (${r.status}).`);
};

// ---- uploads: each file sent whole as the request's body, checked by the server ----
$('#upload-form').onsubmit = async (e) => {
  e.preventDefault();
  const dir = $('#upload-dir').value.trim() || 'uploads';
  for (const file of $('#upload-files').files) {
    const item = el('li', { textContent: `${file.name}: uploading` });
    $('#uploaded').append(item);
    const r = await fetch(`/api/upload?dir=${encodeURIComponent(dir)}&name=${encodeURIComponent(file.name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    });
    const body = await r.json().catch(() => ({}));
    item.textContent = r.ok ? `${file.name}: saved as ${body.path}` : `${file.name}: `;
    if (!r.ok) item.append(el('span', { className: 'error', textContent: body.error ?? `refused (${r.status})` }));
    item.dataset.ok = String(r.ok);
  }
};

const init = async () => {
  stages = (await api('/api/stages')).body;
  $('#workspace').textContent = (await api('/api/workspace')).body.root ?? '';
  $('#stages').replaceChildren(
    ...Object.keys(stages).map((name) => {
      const b = el('button', { type: 'button', value: name, textContent: name, role: 'tab' });
      b.onclick = () => showStage(name);
      return b;
    }),
  );
  showStage(Object.keys(stages)[0]);
  await refreshJobs();
  setInterval(refreshJobs, 3000);
};
init();
