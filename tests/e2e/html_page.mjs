// Opens local HTML pages in Debian's headless Chromium, driven through the
// DevTools protocol on a pipe as src/clients/drivers/termprobe_chromium.mjs
// drives it, and prints one JSON object: per page every request the page
// made (Network.requestWillBeSent, and Fetch, which fails any but the page's
// own), the time to its load event, what its DOM shows, and a screenshot.
// argv[2]: {"pages": [{"html": ABSOLUTE_PATH, "screenshot": PATH}], "timeout_s": N}
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const CHROMIUM = process.env.TERMPROBE_CHROMIUM || '/usr/bin/chromium';

class Pipe {
  constructor(input, output, onEvent) {
    this.input = input;
    this.nextId = 1;
    this.pending = new Map();
    let buffered = '';
    output.setEncoding('utf8');
    output.on('data', (chunk) => {
      buffered += chunk;
      for (let end; (end = buffered.indexOf('\0')) >= 0; buffered = buffered.slice(end + 1)) {
        const message = JSON.parse(buffered.slice(0, end));
        const waiting = this.pending.get(message.id);
        if (waiting) {
          this.pending.delete(message.id);
          if (message.error) waiting.reject(new Error(`${message.error.message} (${message.error.code})`));
          else waiting.resolve(message.result);
        } else if (message.method) {
          onEvent(message);
        }
      }
    });
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    this.input.write(`${JSON.stringify({id, method, params, sessionId})}\0`);
    return new Promise((resolve, reject) => this.pending.set(id, {resolve, reject}));
  }
}

// What the page shows, read in the page (CDP's evaluation is not the page's script: its CSP does not apply).
const DOM_FACTS = `JSON.stringify((() => {
  const shown = document.getElementById('shown');
  const conns = [...document.querySelectorAll('section.conn')];
  return {
    title: document.title,
    shown: shown ? Number(shown.dataset.shown) : null,
    total: shown ? Number(shown.dataset.total) : null,
    sampled: shown ? shown.textContent.startsWith('A sample') : null,
    timelines: document.querySelectorAll('section.conn svg.timeline').length,
    stream_lanes: [...document.querySelectorAll('svg.timeline text.lane')].filter((t) => t.textContent.startsWith('stream')).length,
    histograms: document.querySelectorAll('svg.histogram').length,
    summary_labels: [...document.querySelectorAll('table.summary tr[data-label]')].map((r) => r.dataset.label),
    verdict_rows: document.querySelectorAll('table.verdicts tr').length,
    command: (document.querySelector('table.params code') || {}).textContent || null,
    connections: conns.map((s) => ({
      index: Number(s.dataset.index), label: s.querySelector('.label').textContent,
      ended_us: s.dataset.endedUs === '' ? null : Number(s.dataset.endedUs),
      ended: s.querySelector('.ended').textContent,
      drawn_width: s.querySelector('svg.timeline').getBoundingClientRect().width,
      marks: [...s.querySelectorAll('g.ev text')].map((t) => t.textContent),
      ticks: [...s.querySelectorAll('g.ev title')].map((t) => t.textContent),
      lanes: [...s.querySelectorAll('svg.timeline text.lane')].map((t) => t.firstChild.textContent),
      streams: [...s.querySelectorAll('ul.streams li')].map((li) => ({
        stream: Number(li.dataset.stream), index: Number(li.dataset.index), label: li.dataset.label,
        first_byte_us: li.dataset.firstByteUs === '' ? null : Number(li.dataset.firstByteUs),
        complete_us: li.dataset.completeUs === '' ? null : Number(li.dataset.completeUs)})),
      capture: [...s.querySelectorAll('p.capture')].map((p) => ({
        packet_ending: p.dataset.packetEnding, agrees: JSON.parse(p.dataset.agrees), text: p.textContent,
        shown: p.getBoundingClientRect().height > 0}))})),
    capture_summary: (() => {
      const table = document.querySelector('table.capture-summary');
      return table ? {compared: Number(table.querySelector('.compared').textContent),
                      disagreements: Number(table.querySelector('.disagreements').textContent)} : null;
    })(),
  };
})())`;

async function openPage(pipe, page, sessionEvents) {
  const url = pathToFileURL(page.html).href;
  const {targetId} = await pipe.send('Target.createTarget', {url: 'about:blank'});
  const {sessionId} = await pipe.send('Target.attachToTarget', {targetId, flatten: true});
  const requests = [];
  let loaded;
  const load = new Promise((resolve) => { loaded = resolve; });
  sessionEvents.set(sessionId, ({method, params}) => {
    if (method === 'Network.requestWillBeSent') requests.push(params.request.url);
    if (method === 'Page.loadEventFired') loaded();
    if (method === 'Fetch.requestPaused') {
      const own = params.request.url === url;
      if (!own) requests.push(params.request.url);
      pipe.send(own ? 'Fetch.continueRequest' : 'Fetch.failRequest',
                own ? {requestId: params.requestId} : {requestId: params.requestId, errorReason: 'BlockedByClient'},
                sessionId).catch(() => {});
    }
  });
  await pipe.send('Network.enable', {}, sessionId);
  await pipe.send('Page.enable', {}, sessionId);
  await pipe.send('Fetch.enable', {patterns: [{urlPattern: '*'}]}, sessionId);
  await pipe.send('Emulation.setDeviceMetricsOverride', {width: 1000, height: 1300, deviceScaleFactor: 1, mobile: false},
                  sessionId);
  const started = performance.now();
  await pipe.send('Page.navigate', {url}, sessionId);
  await load;
  const loadMs = performance.now() - started;
  const {result} = await pipe.send('Runtime.evaluate', {expression: DOM_FACTS, returnByValue: true}, sessionId);
  const {data} = await pipe.send('Page.captureScreenshot', {format: 'png'}, sessionId);
  fs.writeFileSync(page.screenshot, Buffer.from(data, 'base64'));
  await pipe.send('Target.closeTarget', {targetId});
  return {url, requests: [...new Set(requests)], load_ms: Math.round(loadMs), dom: JSON.parse(result.value),
          screenshot: page.screenshot};
}

async function main() {
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const root = fs.mkdtempSync(path.join(os.tmpdir().length <= 40 ? os.tmpdir() : '/tmp', 'tphtml-'));
  const child = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                                 '--disable-background-networking', '--disable-component-update', '--disable-sync',
                                 '--remote-debugging-pipe', `--user-data-dir=${path.join(root, 'p')}`, 'about:blank'],
                      {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true,
                       env: {...process.env, TMPDIR: root}});
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderrTail = (stderrTail + chunk).slice(-2000); });
  for (const stream of [child.stderr, child.stdio[3], child.stdio[4]]) stream.on('error', () => {});
  const sessionEvents = new Map();
  const pipe = new Pipe(child.stdio[3], child.stdio[4], (message) => {
    const handler = sessionEvents.get(message.sessionId);
    if (handler) handler(message);
  });
  const cleanup = () => {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    fs.rmSync(root, {recursive: true, force: true});
  };
  const timer = setTimeout(() => {
    cleanup();
    process.stderr.write(`no result in ${job.timeout_s} s: ${stderrTail}\n`);
    process.exit(1);
  }, job.timeout_s * 1000);
  try {
    const pages = [];
    for (const page of job.pages) pages.push(await openPage(pipe, page, sessionEvents));
    process.stdout.write(`${JSON.stringify({pages})}\n`);
  } finally {
    clearTimeout(timer);
    cleanup();
  }
}

await main();
