// termprobe's driver for Node's clients: node-fetch (the built-in fetch,
// undici) and node-http (the http/https modules). Makes the one request
// described by argv[2] and prints one JSON result (README.md, "Contract").
// No npm packages: only what Node itself ships.
import diagnosticsChannel from 'node:diagnostics_channel';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

function resultFor(client) {
  return {client, version: `${process.version} (undici ${process.versions.undici})`, outcome: 'error',
          status: null, http_version: null, body_bytes: null, declared_length: null, error: null,
          requests: null};
}

// The stable name: the error's code, else its cause's; DOMException's code
// is a legacy number, so a name (TimeoutError, AbortError) stands in there.
function describe(error) {
  const code = [error, error && error.cause].map((e) => e && e.code).find((c) => typeof c === 'string');
  const cause = [];
  for (let c = error && error.cause; c && cause.length < 10; c = c.cause) {
    cause.push(`${c.name || c.constructor?.name}: ${c.message}`);
  }
  return {type: code || (error && error.name) || String(error), message: error ? error.message : String(error),
          cause};
}

function unbracket(host) {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

// curl's --connect-to for both clients: undici's connector and the http/https
// agents all dial through the net/tls module objects, so replacing
// connect there sends the URL's host:port to connect_to while servername
// (SNI, name check) and the Host header stay the URL's. The TLS options of
// -k and ca_file go in the same place: fetch has no public option for them.
function redirectConnections(request) {
  const url = new URL(request.url);
  const host = unbracket(url.hostname);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const to = request.connect_to;
  const ca = request.ca_file ? fs.readFileSync(request.ca_file) : null;
  const matches = (o) => unbracket(String(o.host || o.hostname || 'localhost')) === host && Number(o.port) === port;
  const redirect = (o, secure) => {
    if (!o || typeof o !== 'object' || !matches(o)) return o;
    const changed = {...o};
    if (to) Object.assign(changed, {host: to.host, port: to.port});
    if (secure) {
      // An IP literal must not go out as SNI (RFC 6066); the name check still uses it.
      if (!changed.servername && !net.isIP(host)) changed.servername = host;
      if (request.insecure) changed.rejectUnauthorized = false;
      if (ca) changed.ca = ca;
      changed.checkServerIdentity = (_name, cert) => tls.checkServerIdentity(host, cert);
    }
    return changed;
  };
  for (const name of ['connect', 'createConnection']) {
    const real = net[name];
    net[name] = (...args) => real.call(net, redirect(args[0], false), ...args.slice(1));
  }
  // http.Agent copied net.createConnection when node:http loaded: route it back through the wrapper.
  http.Agent.prototype.createConnection = (...args) => net.createConnection(...args);
  const realTls = tls.connect;
  tls.connect = (...args) => realTls.call(tls, redirect(args[0], true), ...args.slice(1));
}

// Subscribed once per run: with rounds the same result keeps counting.
const counted = new Set();
function countRequests(result, channel) {
  if (counted.has(channel)) return;
  counted.add(channel);
  result.requests = 0;
  diagnosticsChannel.subscribe(channel, () => { result.requests += 1; });
}

function unsupportedH2c(result, client) {
  Object.assign(result, {outcome: 'unsupported', requests: null,
                         error: {type: 'unsupported', message: `${client} has no h2c prior-knowledge mode (HTTP/1.1 only)`}});
  return result;
}

function headerPairs(request) {
  return request.headers.map(([name, value]) => [name, value]);
}

// An object, not Node's raw [name, value, ...] array: with the array the head
// is fixed at once and a body goes chunked, where end(body) would give it the
// Content-Length an application's request gets.
function headerObject(request) {
  const headers = {};
  for (const [name, value] of request.headers) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    headers[key] = key in headers ? [].concat(headers[key], value) : value;
  }
  return headers;
}

function bodyOf(request) {
  return request.body_file ? fs.readFileSync(request.body_file) : undefined;
}

async function runFetch(request, result) {
  if (request.http === '2-prior-knowledge') return unsupportedH2c(result, 'fetch (undici)');
  // client:sendHeaders is published when the request head is written: a retry would be a second.
  countRequests(result, 'undici:client:sendHeaders');
  let response;
  try {
    response = await fetch(request.url, {method: request.method, headers: headerPairs(request),
                                         body: bodyOf(request), signal: AbortSignal.timeout(request.timeout_s * 1000)});
  } catch (error) {
    result.error = describe(error);
    return result;
  }
  // Node's fetch speaks HTTP/1.1 only (undici's allowH2 is off and not reachable from the global fetch).
  keepResponse(result, response.status, '1.1', response.headers.get('content-length'));
  try {
    for await (const chunk of response.body) result.body_bytes += chunk.length;
  } catch (error) {
    result.error = describe(error);
    return result;
  }
  result.outcome = 'response';
  return result;
}

function keepResponse(result, status, httpVersion, contentLength) {
  const declared = contentLength == null || contentLength === '' ? null : Number(contentLength);
  Object.assign(result, {status, http_version: httpVersion, body_bytes: 0,
                         declared_length: Number.isFinite(declared) ? declared : null});
}

function runHttp(request, result) {
  if (request.http === '2-prior-knowledge') return unsupportedH2c(result, 'node:http');
  countRequests(result, 'http.client.request.start');
  const url = new URL(request.url);
  const module = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) result.error = describe(error);
      else result.outcome = 'response';
      resolve(result);
    };
    const req = module.request(url, {method: request.method, headers: headerObject(request)}, (res) => {
      keepResponse(result, res.statusCode, res.httpVersion, res.headers['content-length']);
      res.on('data', (chunk) => { result.body_bytes += chunk.length; });
      res.on('error', finish);
      // 'aborted' without 'error' is how some Node versions end a cut body.
      res.on('aborted', () => finish(Object.assign(new Error('aborted'), {code: 'ECONNRESET'})));
      res.on('end', () => finish(res.complete ? null : Object.assign(new Error('aborted'), {code: 'ECONNRESET'})));
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no answer in ${request.timeout_s} s`), {code: 'TIMEOUT'}));
    }, request.timeout_s * 1000);
    req.on('error', finish);
    const body = bodyOf(request);
    req.end(body);
  });
}

const RUNNERS = {'node-fetch': runFetch, 'node-http': runHttp};

// "rounds": the request made that many times with the same client (fetch's
// global dispatcher, http's global agent: both keep connections alive in
// Node 20), so the second reuses the first's connection; the last round's
// result is the run's, and an earlier round's error ends it there.
async function inRounds(request, runner, result) {
  const rounds = Number(request.rounds || 1);
  for (let round = 0; round < rounds; round += 1) {
    if (round > 0) {
      Object.assign(result, {outcome: 'error', status: null, http_version: null, body_bytes: null,
                             declared_length: null, error: null});
    }
    await runner(request, result);
    if (result.outcome !== 'response') break;
  }
  return result;
}

const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const runner = RUNNERS[request.client];
if (!runner) throw new Error(`unknown client ${request.client}`);
redirectConnections(request);
const result = await inRounds(request, runner, resultFor(request.client));
// Exit at once: a kept-alive pooled socket would hold the process for seconds.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
