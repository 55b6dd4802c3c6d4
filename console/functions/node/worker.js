'use strict';
/*
 * A Node.js function worker: one process that runs one function's handler, warm.
 *
 * Started by console/functions/pool.py as `node worker.js`; plain Node, no dependencies.
 * It speaks the Python worker's protocol (console/functions/worker.py), one JSON document
 * per line:
 *
 * - stdin, first line: the setup {"root", "module", "function", "name", "memory_mb",
 *   "timeout_s", "arn", "log_group", "log_stream", "version"}; for Node, "module" is the
 *   handler's path without extension, relative to "root" ("index", "src/app");
 * - stdin, then one line per invocation: {"request_id", "event", "logs", "deadline"};
 * - the answers descriptor (STEPYARD_ANSWER_FD, a pipe of its own so nothing a handler
 *   or its child processes print can get in the way): one line per invocation,
 *   {"ok": true, "payload": <JSON text>} or {"ok": false, "error": {...}, "fatal": bool}.
 *   After a fatal answer the worker exits (the pool starts a new one).
 *
 * While an invocation runs, console.* and process.stdout/stderr writes go to its log
 * file, formatted as Lambda's Node.js runtime formats them. The handler is loaded (and
 * its top-level code run) during the first invocation, so what it logs there shows.
 */

const fs = require('fs');
const path = require('path');
const util = require('util');
const readline = require('readline');
const Module = require('module');
const { pathToFileURL } = require('url');

const ANSWERS = Number(process.env.STEPYARD_ANSWER_FD);
delete process.env.STEPYARD_ANSWER_FD;

let logFd = null;
let currentRequestId = 'undefined';

// ------------------------------------------------------------------ logging

function writeLog(text) {
  if (logFd === null) return;
  try {
    fs.writeSync(logFd, text);
  } catch (_error) {
    // The log file went away (the pool gave up on this invocation): drop the line.
  }
}

function patchOutput() {
  for (const stream of [process.stdout, process.stderr]) {
    stream.write = (chunk, encoding, done) => {
      writeLog(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const callback = typeof encoding === 'function' ? encoding : done;
      if (typeof callback === 'function') process.nextTick(callback);
      return true;
    };
  }
  // Lambda's format: "<ISO time>\t<request id>\t<LEVEL>\t<message>".
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      let message = util.format(...args);
      if (method === 'trace') message = `Trace: ${message}\n${new Error().stack.split('\n').slice(2).join('\n')}`;
      writeLog(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`);
    };
  }
}

function answer(message) {
  fs.writeSync(ANSWERS, JSON.stringify(message) + '\n');
}

// ------------------------------------------------------------------ errors

class RuntimeError extends Error {
  constructor(name, message, cause) {
    super(message);
    this.name = name;
    if (cause && cause.stack) this.stack = `${name}: ${message}\n${String(cause.stack).split('\n').slice(1).join('\n')}`;
  }
}

function isErrorLike(value) {
  return util.types.isNativeError(value) || Boolean(value && value.name && value.message && value.stack
    && typeof value.name === 'string' && typeof value.message === 'string' && typeof value.stack === 'string');
}

/** Lambda's error payload: an Error gives its name, message and stack; anything else its type. */
function errorShape(error) {
  try {
    if (isErrorLike(error)) {
      const stack = typeof error.stack === 'string' ? error.stack.split('\n') : [];
      return { errorType: error.name, errorMessage: error.message, trace: stack };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch (_error) {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or '
        + 'more of its message, name, and stack',
    };
  }
}

function logError(label, shape) {
  const { errorType, errorMessage, trace } = shape;
  console.error(`${label} \t${JSON.stringify({ errorType, errorMessage, stack: trace })}`);
}

function isOutOfMemory(error) {
  return error instanceof RangeError && /allocation failed|Invalid array buffer length/.test(error.message);
}

// ------------------------------------------------------------------ the SDKs

/** Point aws-sdk v2 at Stepyard (v3 reads AWS_ENDPOINT_URL itself; v2 does not). */
function configureSdkV2(AWS) {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!AWS || !AWS.config || typeof AWS.config.update !== 'function' || !endpoint) return;
  AWS.config.update({
    endpoint,
    region: process.env.AWS_REGION,
    sslEnabled: endpoint.startsWith('https:'),
    s3ForcePathStyle: true,
    credentials: new AWS.Credentials(process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY,
      process.env.AWS_SESSION_TOKEN),
  });
}

/**
 * Configure every copy of aws-sdk v2 a handler loads (the runtime's or one it bundles),
 * however it is loaded (require, import, 'aws-sdk/clients/sqs'): each entry point loads
 * lib/node_loader.js, which ends by resetting AWS.config, so configure right after it.
 */
function watchSdkV2() {
  const configured = new WeakSet();
  const load = Module.prototype.load;
  Module.prototype.load = function stepyardLoad(filename) {
    const result = load.apply(this, arguments);
    if (/[\\/]aws-sdk[\\/]lib[\\/]node_loader\.js$/.test(filename)) {
      const AWS = this.require('./core');
      if (AWS && !configured.has(AWS)) {
        configured.add(AWS);
        configureSdkV2(AWS);
      }
    }
    return result;
  };
}

let esmFallbackRegistered = false;

/** ES modules ignore NODE_PATH: let their bare imports fall back to the runtime's SDKs. */
function registerEsmFallback() {
  const runtimeModules = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean)[0];
  if (esmFallbackRegistered || !runtimeModules || typeof Module.register !== 'function') return;
  esmFallbackRegistered = true;
  const parentURL = pathToFileURL(path.join(runtimeModules, '..', 'stepyard-esm-parent.mjs')).href;
  Module.register(pathToFileURL(path.join(__dirname, 'esm_fallback.mjs')).href, { data: { parentURL } });
}

// ------------------------------------------------------------------ loading the handler

function isFile(candidate) {
  try {
    return fs.statSync(candidate).isFile();
  } catch (_error) {
    return false;
  }
}

function packageTypeIsModule(file, root) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (isFile(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
      } catch (_error) {
        return false;
      }
    }
    if (dir === root || dir === path.dirname(dir)) return false;
  }
}

async function importFile(file) {
  registerEsmFallback();
  return import(pathToFileURL(file).href);
}

/** Load the module as Lambda does: extensionless, .js (CommonJS or "type": "module"), .mjs, .cjs. */
async function loadModule(target, root, moduleName) {
  if (isFile(target)) return require(target);
  const esm = packageTypeIsModule(target, root);
  if (isFile(`${target}.js`)) return esm ? importFile(`${target}.js`) : require(`${target}.js`);
  if (isFile(`${target}.mjs`)) return importFile(`${target}.mjs`);
  if (isFile(`${target}.cjs`)) return require(`${target}.cjs`);
  return require(require.resolve(moduleName, { paths: [root, path.dirname(target)] }));
}

function splitHandler(setup) {
  const full = `${setup.module}.${setup.function}`;
  const base = path.basename(full);
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (!match || !match[1] || !match[2]) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const moduleRoot = full.slice(0, full.length - base.length);
  return { full, moduleRoot, moduleName: match[1], handlerPath: match[2] };
}

async function loadHandler(setup) {
  const { full, moduleRoot, moduleName, handlerPath } = splitHandler(setup);
  const target = path.resolve(setup.root, moduleRoot, moduleName);
  let loaded;
  try {
    loaded = await loadModule(target, setup.root, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RuntimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`, error);
    }
    if (error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new RuntimeError('Runtime.ImportModuleError', `${error.name}: ${error.message}`, error);
    }
    throw error;
  }
  const handler = handlerPath.split('.').reduce((value, key) => (value == null ? undefined : value[key]), loaded);
  if (handler === undefined) throw new RuntimeError('Runtime.HandlerNotFound', `${full} is undefined or not exported`);
  if (typeof handler !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${full} is not a function`);
  return handler;
}

// ------------------------------------------------------------------ one invocation

function makeContext(setup, requestId, deadline, callback) {
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: setup.name,
    functionVersion: setup.version,
    invokedFunctionArn: setup.arn,
    memoryLimitInMB: String(setup.memory_mb),
    awsRequestId: requestId,
    logGroupName: setup.log_group,
    logStreamName: setup.log_stream,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline * 1000 - Date.now())),
  };
  // The legacy completions answer at once, whatever is left on the event loop.
  context.done = (error, result) => {
    context.callbackWaitsForEmptyEventLoop = false;
    callback(error, result);
  };
  context.succeed = (result) => context.done(null, result);
  context.fail = (error) => context.done(error == null ? '' : error);
  return context;
}

/** What still keeps the event loop busy beyond what was there before the handler ran. */
function loopIsEmpty(baseline) {
  const counts = activeResources();
  counts.set('Timeout', (counts.get('Timeout') || 0) - 1); // the poll's own timer
  for (const [name, count] of counts) if (count > (baseline.get(name) || 0)) return false;
  return true;
}

function activeResources() {
  const counts = new Map();
  for (const name of resourceNames()) counts.set(name, (counts.get(name) || 0) + 1);
  return counts;
}

function resourceNames() {
  if (typeof process.getActiveResourcesInfo === 'function') return process.getActiveResourcesInfo();
  // Node.js before 17.3 (its timers are not listed: only handles and requests are waited for).
  return [...process._getActiveHandles(), ...process._getActiveRequests()].map((item) => item.constructor.name);
}

/** Resolve once the handler's pending work (timers, sockets, file reads) has finished. */
function emptyLoop(baseline) {
  return new Promise((resolve) => {
    const poll = () => (loopIsEmpty(baseline) ? resolve() : setTimeout(poll, 1));
    setTimeout(poll, 0);
  });
}

/** Run the handler: a Promise it returns, its callback, or (neither) the event loop emptying. */
function runHandler(handler, event, setup, request) {
  return new Promise((resolve) => {
    const baseline = activeResources();
    let settled = false;
    let called = false;
    let emptied = null;
    // One poll per invocation: the poll leaves its own timer out, and only its own.
    const loopEmptied = () => emptied || (emptied = emptyLoop(baseline));
    const finish = (outcome) => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    const callback = (error, result) => {
      if (called) return;
      called = true;
      const outcome = error == null ? { result } : { error };
      if (context.callbackWaitsForEmptyEventLoop) loopEmptied().then(() => finish(outcome));
      else finish(outcome);
    };
    const context = makeContext(setup, request.request_id, request.deadline, callback);
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      finish({ error });
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then((result) => finish({ result }), (error) => finish({ error }));
    } else {
      loopEmptied().then(() => called || finish({ result: null }));
    }
  });
}

function serialise(result) {
  const text = JSON.stringify(result === undefined ? null : result);
  return text === undefined ? 'null' : text;
}

async function invoke(state, request) {
  const { setup } = state;
  const requestId = request.request_id;
  if (state.handler === null) {
    try {
      state.handler = await loadHandler(setup);
    } catch (error) {
      const shape = errorShape(error);
      logError('Uncaught Exception', shape);
      return { ok: false, fatal: true, error: shape };
    }
  }
  const outcome = await runHandler(state.handler, JSON.parse(request.event), setup, request);
  if ('error' in outcome) {
    if (isOutOfMemory(outcome.error)) return outOfMemory(setup, requestId);
    const shape = errorShape(outcome.error);
    logError('Invoke Error', shape);
    return { ok: false, fatal: false, error: shape };
  }
  try {
    return { ok: true, payload: serialise(outcome.result) };
  } catch (error) {
    const shape = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${error.message}`, trace: [] };
    return { ok: false, fatal: false, error: shape };
  }
}

function outOfMemory(setup, requestId) {
  const message = `RequestId: ${requestId} Error: Runtime exited with error: out of memory (the limit is ${setup.memory_mb} MB)`;
  return { ok: false, fatal: true, error: { errorMessage: message, errorType: 'Runtime.OutOfMemory' } };
}

async function serve(state, request) {
  logFd = fs.openSync(request.logs, 'a', 0o600);
  currentRequestId = request.request_id;
  state.current = request;
  writeLog(`START RequestId: ${request.request_id} Version: ${state.setup.version}\n`);
  let reply;
  try {
    reply = await invoke(state, request);
  } finally {
    writeLog(`END RequestId: ${request.request_id}\n`);
    fs.closeSync(logFd);
    logFd = null;
    state.current = null;
  }
  return reply;
}

/** A throw or rejection nobody handles ends the invocation (and this worker), as in Lambda. */
function watchUncaught(state) {
  const fail = (label, error) => {
    const shape = label === 'Unhandled Promise Rejection'
      ? { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: String(error), trace: [] }
      : errorShape(error);
    logError(label, shape);
    if (state.current !== null) {
      writeLog(`END RequestId: ${state.current.request_id}\n`);
      answer(isOutOfMemory(error) ? outOfMemory(state.setup, state.current.request_id)
        : { ok: false, fatal: true, error: shape });
    }
    process.exit(129);
  };
  process.on('uncaughtException', (error) => fail('Uncaught Exception', error));
  process.on('unhandledRejection', (error) => fail('Unhandled Promise Rejection', error));
}

function main() {
  patchOutput();
  watchSdkV2();
  const state = { setup: null, handler: null, current: null };
  watchUncaught(state);
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    if (state.setup === null) {
      state.setup = JSON.parse(line);
      return;
    }
    const request = JSON.parse(line);
    queue = queue.then(() => serve(state, request)).then((reply) => {
      answer(reply);
      if (reply.fatal) process.exit(0);
    });
  });
  lines.on('close', () => process.exit(0));
}

main();
