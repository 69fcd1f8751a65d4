// Conformance suite: runs the real Qwen Code CLI (`qwen -p hi`) in each scenario of
// scenarios.mjs against a mock endpoint on 127.0.0.1 (mock.mjs), runs
// `qwen-settings-ls doctor --format json` in the same directory with the same HOME and
// environment, and checks that doctor's prediction equals what the mock received:
//   - doctor `requestUrl`            = the URL of the model request (host and path);
//   - doctor `model`                 = the `model` of the request body;
//   - doctor `maskedKey`             = the received key, masked (first 3, `…`, last 4);
//   - doctor `keySource` kind + file = the source that holds the received value (every source
//                                      of a scenario has its own value);
//   - the CLI's exit code            = the scenario's `exit` (default 0).
//
// Usage: node run.mjs --node <node> --qwen <cli-entry.js> --doctor <qwen-settings-ls>
//                     [--jobs 2] [--only NAME[,NAME]] [--report FILE] [--keep]
// Exit status: 0 when every scenario agrees or is a listed known mismatch, 1 otherwise, 2 on
// usage errors.
//
// Isolation: every run gets an empty environment plus a fresh HOME in a temp dir, telemetry and
// usage statistics off, and HTTP_PROXY/HTTPS_PROXY/ALL_PROXY pointing at the mock (NO_PROXY
// exempts only 127.0.0.1 and localhost), so any other connection the CLI attempts ends at the
// mock (recorded and refused) instead of leaving the machine.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMock } from './mock.mjs';
import { SCENARIOS } from './scenarios.mjs';

// Scenarios in which doctor is known to disagree with the real CLI. Each one still runs and its
// differences are still printed; it must disagree (a scenario listed here that agrees fails the
// suite, so the list is kept up to date when doctor is fixed). Name -> what differs.
export const KNOWN_MISMATCHES = {};

const CLI_TIMEOUT_MS = 60_000;
const DOCTOR_TIMEOUT_MS = 30_000;
const SUITE_DEADLINE_MS = 300_000;

function parseArgs(argv) {
  const args = { jobs: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--node') args.node = value();
    else if (a === '--qwen') args.qwen = value();
    else if (a === '--doctor') args.doctor = value();
    else if (a === '--jobs') args.jobs = Math.max(1, Number(value()) || 1);
    else if (a === '--only') args.only = value().split(',');
    else if (a === '--report') args.report = value();
    else if (a === '--keep') args.keep = true;
    else usage(`unknown argument ${a}`);
  }
  for (const k of ['node', 'qwen', 'doctor']) if (!args[k]) usage(`--${k} is required`);
  return args;
}

function usage(why) {
  console.error(`run.mjs: ${why}`);
  console.error('usage: node run.mjs --node NODE --qwen CLI_ENTRY_JS --doctor QWEN_SETTINGS_LS [--jobs N] [--only A,B] [--report FILE] [--keep]');
  process.exit(2);
}

export function mask(key) {
  if (typeof key !== 'string') return null;
  return `${key.slice(0, 3)}…${key.slice(-4)}`;
}

/** Replaces {PORT} and {BASE} in a string. */
function fill(text, port) {
  return text.replaceAll('{BASE}', `http://127.0.0.1:${port}/v1`).replaceAll('{PORT}', String(port));
}

/** Parses `KEY=VALUE` lines the way a simple .env reads (enough for the scenarios' files). */
function parseDotenv(text) {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2].trim();
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

/** Lays the scenario out under `root`; returns the key-value sources (value -> [{kind, file}]). */
function layOut(scenario, root, port) {
  const sources = new Map();
  const add = (value, source) => {
    if (typeof value !== 'string' || value === '') return;
    if (!sources.has(value)) sources.set(value, []);
    sources.get(value).push(source);
  };
  fs.mkdirSync(path.join(root, 'home'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.mkdirSync(path.join(root, scenario.cwd ?? 'work/proj'), { recursive: true });
  // System defaults (lowest scope): no update check, no telemetry, no usage statistics.
  fs.writeFileSync(
    path.join(root, 'etc/system-defaults.json'),
    JSON.stringify(
      {
        $version: 4,
        general: { enableAutoUpdate: false },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
      },
      null,
      2,
    ) + '\n',
  );
  for (const [rel, content] of Object.entries(scenario.files ?? {})) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const text = fill(typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n', port);
    fs.writeFileSync(file, text);
    if (path.basename(file) === '.env') {
      for (const v of Object.values(parseDotenv(text))) add(v, { kind: 'dotenv', file });
    } else if (path.basename(file) === 'settings.json') {
      const env = JSON.parse(text).env ?? {};
      for (const v of Object.values(env)) add(v, { kind: 'settings', file });
    }
  }
  const exported = {};
  for (const [k, v] of Object.entries(scenario.exported ?? {})) {
    exported[k] = fill(v, port);
    add(exported[k], { kind: 'exported', file: null });
  }
  return { sources, exported };
}

/** The environment both the CLI and doctor run with. */
function environment(root, port, exported, nodeDir) {
  const proxy = `http://127.0.0.1:${port}`;
  return {
    HOME: path.join(root, 'home'),
    PATH: [nodeDir, '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: path.join(root, 'tmp'),
    QWEN_CODE_SYSTEM_SETTINGS_PATH: path.join(root, 'etc/settings.json'),
    QWEN_CODE_SYSTEM_DEFAULTS_PATH: path.join(root, 'etc/system-defaults.json'),
    QWEN_TELEMETRY_ENABLED: 'false',
    QWEN_USAGE_STATISTICS_ENABLED: 'false',
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    ALL_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    all_proxy: proxy,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ...exported,
  };
}

/** Runs a command with a bounded wait; kills its whole process group on timeout. */
function run(cmd, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = [];
    const err = [];
    let timedOut = false;
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    const finish = (code, signal, error) => {
      clearTimeout(timer);
      // The CLI may leave a relaunched child behind in its group: end it too.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      resolve({
        code,
        signal,
        error: error ? String(error) : null,
        timedOut,
        ms: Date.now() - started,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, signal) => finish(code, signal, null));
  });
}

const MODEL_PATH = /\/(chat\/completions|responses|messages)$/;

async function runScenario(scenario, args) {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `qwen-conformance-${scenario.name}-`)));
  const mock = await startMock();
  const result = { name: scenario.name, about: scenario.about, root, problems: [] };
  try {
    const { sources, exported } = layOut(scenario, root, mock.port);
    fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
    const env = environment(root, mock.port, exported, path.dirname(args.node));
    const cwd = path.join(root, scenario.cwd ?? 'work/proj');

    // Doctor first: the CLI may write state under HOME, doctor must see what the CLI saw.
    const doc = await run(args.doctor, ['doctor', '--format', 'json'], { cwd, env, timeoutMs: DOCTOR_TIMEOUT_MS });
    result.doctorExit = doc.code;
    let doctor = null;
    try {
      doctor = JSON.parse(doc.stdout);
    } catch (e) {
      result.problems.push(`doctor printed no JSON (exit ${doc.code}${doc.timedOut ? ', timed out' : ''}): ${e.message}\n${doc.stderr}`);
    }
    result.doctor = doctor && {
      authType: doctor.authType,
      model: doctor.model,
      baseUrl: doctor.baseUrl,
      requestUrl: doctor.requestUrl,
      keyVariable: doctor.keyVariable,
      keySource: doctor.keySource,
      maskedKey: doctor.maskedKey,
      diagnostics: (doctor.diagnostics ?? []).map((d) => d.code),
    };

    const cli = await run(args.node, [args.qwen, '-p', 'hi'], { cwd, env, timeoutMs: CLI_TIMEOUT_MS });
    // Let a request still in flight at exit land in the log.
    await new Promise((r) => setTimeout(r, 100));
    result.cliExit = cli.code;
    result.cliMs = cli.ms;
    result.cliTimedOut = cli.timedOut;
    result.cliStderr = cli.stderr.trim().slice(0, 4000);

    const requests = mock.requests.slice();
    const model = requests.filter((r) => r.method === 'POST' && !r.proxied && MODEL_PATH.test(r.path.split('?')[0]));
    result.otherTraffic = requests
      .filter((r) => !model.includes(r))
      .map((r) => `${r.method} ${r.url}${r.proxied ? ' (via proxy)' : ''}`);
    const received = model.map((r) => {
      const key = r.xApiKey ?? r.authorization;
      return {
        url: `http://${r.host}${r.path}`,
        path: r.path,
        model: r.model,
        key,
        authorization: r.authorization,
        xApiKey: r.xApiKey,
      };
    });
    result.requests = received.map((r) => ({
      url: r.url,
      model: r.model,
      maskedKey: mask(r.key),
      header: r.xApiKey != null ? (r.authorization != null ? 'both' : 'x-api-key') : 'authorization',
    }));

    const expectedExit = scenario.exit ?? 0;
    if (cli.timedOut) result.problems.push(`the CLI timed out after ${CLI_TIMEOUT_MS} ms`);
    if (cli.code !== expectedExit) {
      result.problems.push(`CLI exit ${cli.code} (expected ${expectedExit})`);
    }
    if (received.length === 0) {
      result.problems.push('the mock received no model request');
    } else {
      const first = received[0];
      for (const r of received.slice(1)) {
        if (r.url !== first.url || r.model !== first.model || r.key !== first.key) {
          result.problems.push(
            `the CLI's requests differ from each other: ${first.url} ${first.model} ${mask(first.key)} vs ${r.url} ${r.model} ${mask(r.key)}`,
          );
        }
      }
      if (first.xApiKey != null && first.authorization != null && first.xApiKey !== first.authorization) {
        result.problems.push(`x-api-key ${mask(first.xApiKey)} and Authorization ${mask(first.authorization)} differ`);
      }
      const src = sources.get(first.key) ?? [];
      result.receivedSource = src.length === 1 ? src[0] : src.length === 0 ? { kind: 'unknown', file: null } : { kind: 'ambiguous', file: null };
      if (src.length > 1) result.problems.push(`scenario error: the received key is defined by ${src.length} sources`);
      if (doctor) {
        const cmp = (field, predicted, actual) => {
          if (predicted !== actual) {
            result.problems.push(`${field}: doctor predicted ${JSON.stringify(predicted)}, the mock received ${JSON.stringify(actual)}`);
          }
        };
        let predictedUrl = doctor.requestUrl;
        try {
          const u = new URL(doctor.requestUrl);
          predictedUrl = `${u.protocol}//${u.host}${u.pathname}${u.search}`;
        } catch {
          /* compared verbatim */
        }
        cmp('requestUrl', predictedUrl, first.url);
        cmp('model', doctor.model, first.model);
        cmp('maskedKey', doctor.maskedKey, mask(first.key));
        if (src.length === 1) {
          cmp('keySource.kind', doctor.keySource?.kind, src[0].kind);
          const file = doctor.keySource?.file ? path.resolve(doctor.keySource.file) : null;
          cmp('keySource.file', file, src[0].file);
        }
      }
    }
  } catch (e) {
    result.problems.push(`runner error: ${e.stack ?? e}`);
  } finally {
    await mock.close();
    if (!args.keep) fs.rmSync(root, { recursive: true, force: true });
  }
  return result;
}

function describe(r) {
  const req = r.requests?.[0];
  const got = req
    ? `POST ${new URL(req.url).pathname} model=${req.model} key=${req.maskedKey} (${r.receivedSource?.kind}${r.receivedSource?.file ? ` ${path.relative(r.root, r.receivedSource.file)}` : ''})`
    : 'no request';
  return `exit ${r.cliExit} ${got} [${(r.cliMs / 1000).toFixed(1)} s]`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const names = new Set(SCENARIOS.map((s) => s.name));
  if (names.size !== SCENARIOS.length) usage('duplicate scenario names');
  for (const k of Object.keys(KNOWN_MISMATCHES)) if (!names.has(k)) usage(`KNOWN_MISMATCHES names no scenario: ${k}`);
  const selected = args.only ? SCENARIOS.filter((s) => args.only.includes(s.name)) : SCENARIOS;
  if (selected.length === 0) usage('no scenario selected');

  const node = await run(args.node, ['--version'], { cwd: process.cwd(), env: { PATH: '/usr/bin:/bin' }, timeoutMs: 10_000 });
  console.log(`conformance: ${selected.length} scenarios, qwen ${args.qwen}, node ${node.stdout.trim()}, ${args.jobs} at a time`);

  const started = Date.now();
  const results = new Array(selected.length);
  let next = 0;
  const worker = async () => {
    while (next < selected.length) {
      const i = next++;
      const s = selected[i];
      if (Date.now() - started > SUITE_DEADLINE_MS) {
        results[i] = { name: s.name, problems: [`not run: the suite passed its ${SUITE_DEADLINE_MS / 1000} s deadline`], requests: [] };
        continue;
      }
      results[i] = await runScenario(s, args);
      const r = results[i];
      const known = Object.hasOwn(KNOWN_MISMATCHES, s.name);
      const tag = r.problems.length === 0 ? (known ? 'FIXED?' : 'ok') : known ? 'known' : 'FAIL';
      console.log(`${tag.padEnd(6)} ${s.name.padEnd(48)} ${describe(r)}`);
      for (const p of r.problems) console.log(`         ${p.replaceAll('\n', '\n         ')}`);
      if (r.problems.length && r.cliStderr && !known) {
        console.log(`         CLI stderr: ${r.cliStderr.replaceAll('\n', '\n         ')}`);
      }
      if (r.otherTraffic?.length) console.log(`         other traffic (refused by the mock): ${r.otherTraffic.join(', ')}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, selected.length) }, worker));

  let agree = 0;
  let known = 0;
  const failures = [];
  for (const r of results) {
    const listed = Object.hasOwn(KNOWN_MISMATCHES, r.name);
    if (r.problems.length === 0 && !listed) agree++;
    else if (r.problems.length > 0 && listed) known++;
    else if (listed) failures.push(`${r.name}: listed in KNOWN_MISMATCHES but doctor now agrees with the CLI; remove it from the list`);
    else failures.push(`${r.name}: ${r.problems.join('; ')}`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (args.report) {
    fs.mkdirSync(path.dirname(path.resolve(args.report)), { recursive: true });
    fs.writeFileSync(args.report, JSON.stringify({ seconds: Number(seconds), knownMismatches: KNOWN_MISMATCHES, results }, null, 2) + '\n');
  }
  console.log(
    `conformance: ${agree} agree, ${known} known mismatches, ${failures.length} failed, in ${seconds} s`,
  );
  for (const f of failures) console.log(`  failed: ${f}`);
  process.exit(failures.length ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
