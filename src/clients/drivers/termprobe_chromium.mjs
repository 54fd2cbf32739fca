// termprobe's driver for Chromium: starts Debian's headless chromium with
// the DevTools protocol on a pipe (fds 3 and 4, NUL-terminated JSON),
// navigates to the URL described by argv[2] and prints one JSON result
// (README.md, "Contract"). Chromium and its temporary profile are always
// removed, on a timeout too.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHROMIUM = process.env.TERMPROBE_CHROMIUM || '/usr/bin/chromium';
const STARTUP_S = 30;

function resultFor(client) {
  return {client, version: null, outcome: 'error', status: null, http_version: null, body_bytes: null,
          declared_length: null, error: null, requests: null};
}

function unsupported(result, message) {
  return Object.assign(result, {outcome: 'unsupported', error: {type: 'unsupported', message}});
}

function authority(url) {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

// Without the background-networking flags Chromium's own connections (updates,
// sync, field trials) fail on a closed network and add noise to the relay.
function chromiumArgs(request, profile) {
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                '--remote-debugging-pipe', `--user-data-dir=${profile}`];
  if (request.connect_to) {
    // A pattern with a port matches host:port only, as curl's --connect-to does;
    // SNI, the certificate check and Host keep the URL's name.
    const to = request.connect_to;
    const toHost = to.host.includes(':') ? `[${to.host}]` : to.host;
    args.push(`--host-resolver-rules=MAP ${authority(new URL(request.url))} ${toHost}:${to.port}`);
  }
  if (request.insecure) args.push('--ignore-certificate-errors');
  if (request.http === '1.1') args.push('--disable-http2');
  args.push('about:blank');
  return args;
}

// The DevTools protocol over the pipe: send() answers with the command's
// result; events go to onEvent.
class Pipe {
  constructor(input, output, onEvent) {
    this.input = input;
    this.nextId = 1;
    this.pending = new Map();
    this.onEvent = onEvent;
    let buffered = '';
    output.setEncoding('utf8');
    output.on('data', (chunk) => {
      buffered += chunk;
      for (let end; (end = buffered.indexOf('\0')) >= 0; buffered = buffered.slice(end + 1)) {
        this.dispatch(JSON.parse(buffered.slice(0, end)));
      }
    });
  }

  dispatch(message) {
    const waiting = this.pending.get(message.id);
    if (waiting) {
      this.pending.delete(message.id);
      if (message.error) waiting.reject(new Error(`${message.error.message} (${message.error.code})`));
      else waiting.resolve(message.result);
    } else if (message.method) {
      this.onEvent(message);
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    this.input.write(`${JSON.stringify({id, method, params, sessionId})}\0`);
    return new Promise((resolve, reject) => this.pending.set(id, {resolve, reject}));
  }
}

function headerValue(headers, name) {
  const key = Object.keys(headers || {}).find((k) => k.toLowerCase() === name);
  return key === undefined ? null : headers[key];
}

// What the navigation's document request did, from the Network events.
class Document {
  constructor(result) {
    this.result = result;
    this.requestId = null;
    this.received = 0;
    this.done = new Promise((resolve) => { this.finish = resolve; });
  }

  onEvent({method, params}) {
    if (method === 'Network.requestWillBeSent' && params.type === 'Document' && this.requestId === null) {
      this.requestId = params.requestId;
    }
    if (!params || params.requestId !== this.requestId) return;
    if (method === 'Network.responseReceived') {
      const {response} = params;
      const declared = headerValue(response.headers, 'content-length');
      Object.assign(this.result, {status: response.status, body_bytes: 0,
                                  http_version: {'h2': '2', 'http/1.1': '1.1', 'http/1.0': '1.0'}[response.protocol] || response.protocol,
                                  declared_length: declared === null ? null : Number(declared)});
    } else if (method === 'Network.responseReceivedExtraInfo' && this.result.status === null) {
      // The network layer's head, sent as the headers arrive: responseReceived
      // waits for MIME sniffing, so a body that stalls or breaks early would
      // otherwise lose the status the browser did get.
      const declared = headerValue(params.headers, 'content-length');
      const line = /^HTTP\/(\d(?:\.\d)?) /.exec(params.headersText || '');
      Object.assign(this.result, {status: params.statusCode, body_bytes: 0, http_version: line ? line[1] : null,
                                  declared_length: declared === null ? null : Number(declared)});
    } else if (method === 'Network.dataReceived') {
      this.received += params.dataLength;
    } else if (method === 'Network.loadingFinished') {
      this.finish({ok: true});
    } else if (method === 'Network.loadingFailed') {
      this.finish({ok: false, errorText: params.errorText});
    }
  }
}

// Fetch interception lets the navigation carry the request's method, body
// and headers, which Page.navigate alone cannot; it also stops the page's
// own requests after it (the favicon the new headless mode asks for), so
// the server sees the one request it was asked for.
async function interceptRequests(pipe, sessionId, request, intercepted) {
  const body = request.body_file ? fs.readFileSync(request.body_file) : null;
  intercepted.handler = async ({requestId, request: paused, resourceType}) => {
    // Only a navigation's document request is the one asked for (each round
    // navigates once); the page's own (the favicon), which may come after
    // the next round began, is failed.
    if (resourceType !== 'Document' || intercepted.used) {
      // The next navigation may have cancelled it already: Chromium then
      // answers "Invalid InterceptionId", and there is nothing left to fail.
      await pipe.send('Fetch.failRequest', {requestId, errorReason: 'BlockedByClient'}, sessionId)
        .catch((error) => { if (!/Invalid InterceptionId/.test(error.message)) throw error; });
      return;
    }
    intercepted.used = true;
    const given = new Set(request.headers.map(([name]) => name.toLowerCase()));
    const headers = Object.entries(paused.headers).filter(([name]) => !given.has(name.toLowerCase()))
      .map(([name, value]) => ({name, value}))
      .concat(request.headers.map(([name, value]) => ({name, value})));
    await pipe.send('Fetch.continueRequest', {requestId, method: request.method, headers,
                                              ...(body ? {postData: body.toString('base64')} : {})}, sessionId);
  };
  await pipe.send('Fetch.enable', {patterns: [{urlPattern: '*', requestStage: 'Request'}]}, sessionId);
}

async function navigate(request, result, pipe, events) {
  const {product} = await pipe.send('Browser.getVersion');
  result.version = product;
  const {targetId} = await pipe.send('Target.createTarget', {url: 'about:blank'});
  const {sessionId} = await pipe.send('Target.attachToTarget', {targetId, flatten: true});
  const intercepted = {used: false, handler: null};
  events.handler = (message) => {
    if (message.sessionId !== sessionId) return;
    if (message.method === 'Fetch.requestPaused' && intercepted.handler) intercepted.handler(message.params);
    else if (events.document) events.document.onEvent(message);
  };
  await pipe.send('Network.enable', {}, sessionId);
  await pipe.send('Page.enable', {}, sessionId);
  await interceptRequests(pipe, sessionId, request, intercepted);
  events.startClock();
  // "rounds": the same tab navigates again, as a reload does; Chromium's
  // socket pool hands the second navigation the first one's kept-alive
  // connection. The last round's result is the run's; an error ends it.
  const rounds = Math.max(Number(request.rounds || 1), 1);
  for (let round = 0; round < rounds; round += 1) {
    if (round > 0) {
      Object.assign(result, {outcome: 'error', status: null, http_version: null, body_bytes: null,
                             declared_length: null, error: null});
      intercepted.used = false;
    }
    const document = new Document(result);
    await navigateOnce(request, result, pipe, sessionId, document, events);
    if (result.outcome !== 'response') break;
  }
  return result;
}

async function navigateOnce(request, result, pipe, sessionId, document, events) {
  events.document = document;
  const navigation = await pipe.send('Page.navigate', {url: request.url}, sessionId);
  // A failed navigation may end before any Network event names its request.
  const end = navigation.errorText && document.requestId === null
    ? {ok: false, errorText: navigation.errorText}
    : await document.done;
  if (result.status !== null) result.body_bytes = document.received;
  if (end.ok) {
    result.outcome = 'response';
  } else {
    result.error = {type: end.errorText, message: navigation.errorText || end.errorText, cause: []};
  }
  return result;
}

function run(request, result) {
  // Chromium makes temporary folders of its own, which a killed browser
  // leaves: its TMPDIR is inside ours, removed with the profile. Its
  // singleton socket lives there and a Unix socket path has 107 bytes, so
  // the names are short and a long TMPDIR gives way to /tmp.
  const base = os.tmpdir().length <= 40 ? os.tmpdir() : '/tmp';
  const root = fs.mkdtempSync(path.join(base, 'tpchr-'));
  const profile = path.join(root, 'p');
  const tmp = path.join(root, 't');
  fs.mkdirSync(tmp);
  const child = spawn(CHROMIUM, chromiumArgs(request, profile),
                      {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true,
                       env: {...process.env, TMPDIR: tmp}});
  // Kept for the message when chromium dies before answering.
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderrTail = (stderrTail + chunk).slice(-2000); });
  const cleanup = () => {
    // Chromium's own helpers (zygote, renderer, network service) share its process group.
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    fs.rmSync(root, {recursive: true, force: true});
  };
  // The pipe breaks when chromium dies (our kill included); its exit is what reports that.
  for (const stream of [child.stderr, child.stdio[3], child.stdio[4]]) stream.on('error', () => {});
  const events = {handler: () => {}, startClock: () => {}, document: null};
  const pipe = new Pipe(child.stdio[3], child.stdio[4], (message) => events.handler(message));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({code, signal})));
  const gone = exited.then(({code, signal}) => {
    throw new Error(`chromium exited (${code ?? signal}) before the result:\n${stderrTail}`);
  });
  // timeout_s is the request's: the clock starts at Page.navigate, and the
  // browser's start has a bound of its own.
  let timer;
  const timeout = new Promise((resolve) => {
    const expire = (message) => () => {
      result.error = {type: 'timeout', message, cause: []};
      resolve(result);
    };
    timer = setTimeout(expire(`chromium not ready in ${STARTUP_S} s`), STARTUP_S * 1000);
    events.startClock = () => {
      clearTimeout(timer);
      timer = setTimeout(expire(`no result from chromium in ${request.timeout_s} s`), request.timeout_s * 1000);
    };
  });
  const spawnFailed = new Promise((_, reject) => child.on('error', reject));
  return Promise.race([navigate(request, result, pipe, events), timeout, gone, spawnFailed]).finally(async () => {
    clearTimeout(timer);
    cleanup();
    // Reap our own child; its helpers belong to whoever adopts them.
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
  });
}

const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let result = resultFor(request.client);
if (!fs.existsSync(CHROMIUM)) {
  result = Object.assign(result, {outcome: 'unavailable',
                                  error: {type: 'unavailable', message: 'chromium is not installed (apt install chromium)'}});
} else if (request.http === '2-prior-knowledge') {
  result = unsupported(result, 'Chromium has no h2c prior-knowledge mode');
} else if (request.ca_file) {
  result = unsupported(result, 'Chromium takes no CA file (it trusts the system store or, with -k, anything)');
} else {
  result = await run(request, result);
}
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
