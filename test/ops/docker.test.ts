/**
 * The container image and the compose demo, without a Docker engine: the Dockerfile's
 * runtime install is run for real against the built dist/ and sim/dist/ (and the result
 * started in demo mode and health-checked the way the image's HEALTHCHECK does), the rest is
 * checked statically.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseExposition } from '../helpers/exposition.js';
import { childEnv, freePort, http, startProcess, stopProcess, waitFor, type Child } from '../helpers/processes.js';
import { loadPrometheusConfig, ruleFilePaths } from './lib/rules.js';
import { readRepoFile, readRepoYaml, repoPath, run } from './lib/tools.js';

/** One Dockerfile instruction: keyword, argument text, and the stage it belongs to. */
interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly stage: number;
}

/** Parses a Dockerfile into instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (pending && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^([A-Za-z]+)\s+(.*)$/s.exec(full);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    if (keyword === 'FROM') stage++;
    out.push({ keyword, args: m[2]!, stage });
  }
  return out;
}

/** The argv of an exec-form (JSON array) instruction argument. */
const execForm = (args: string): string[] => JSON.parse(args) as string[];

const dockerfile = parseDockerfile(readRepoFile('Dockerfile'));
const stages = Math.max(...dockerfile.map((i) => i.stage)) + 1;
const runtime = dockerfile.filter((i) => i.stage === stages - 1);
const runs = (stage: number) => dockerfile.filter((i) => i.stage === stage && i.keyword === 'RUN').map((i) => i.args);

/** What the runtime stage copies from the build stage: `[source under /app, destination]`. */
function runtimeCopiesFromBuild(): Array<[string, string]> {
  return runtime
    .filter((i) => i.keyword === 'COPY' && /^--from=build\s/.test(i.args))
    .map((i) => {
      const m = /^--from=build\s+\/app\/(\S+)\s+\.\/(\S+)$/.exec(i.args);
      assert.ok(m, `COPY ${i.args}: /app/<path> ./<path>`);
      return [m[1]!, m[2]!];
    });
}

/** The runtime stage's production install command, as a list of words. */
function runtimeInstall(): string[] {
  const cmd = runs(stages - 1)
    .flatMap((r) => r.split('&&').map((s) => s.trim()))
    .find((c) => c.startsWith('npm ci'));
  assert.ok(cmd, 'the runtime stage runs npm ci');
  return cmd.split(/\s+/);
}

describe('Dockerfile', () => {
  test('is multi-stage, every stage on the same exact Node release (not a floating tag)', () => {
    const froms = dockerfile.filter((i) => i.keyword === 'FROM').map((i) => i.args);
    assert.ok(froms.length >= 2, 'build and runtime stages');
    const images = froms.map((f) => /^node:(\d+\.\d+\.\d+)-slim\b/.exec(f));
    for (const [i, m] of images.entries()) assert.ok(m, `stage ${i}: node:<major>.<minor>.<patch>-slim (an exact release, not a floating tag), got ${froms[i]}`);
    assert.equal(new Set(images.map((m) => m![1])).size, 1, 'the same Node release in every stage');
  });

  test('builds with the commands CI runs: npm ci, npm run build; installs production dependencies only at runtime', () => {
    const build = runs(0).join('\n');
    assert.match(build, /^npm ci( |$)/m);
    assert.ok(build.indexOf('npm ci') < build.indexOf('npm run build'), 'npm ci before npm run build');
    assert.ok(!/--omit=dev/.test(build), 'the build stage needs dev dependencies');
    const install = runtimeInstall().join(' ');
    assert.match(install, /^npm ci .*--omit=dev/);
    assert.ok(!/npm run build/.test(runs(stages - 1).join('\n')), 'no compiling at runtime');
    const copies = runtimeCopiesFromBuild();
    assert.ok(copies.some(([from, to]) => from === 'dist' && to === 'dist'), 'dist/ is copied from the build stage');
    assert.ok(copies.some(([from, to]) => from === 'sim/dist' && to === 'sim/dist'), 'sim/dist/ (for --demo) is copied from the build stage');
    const buildCopies = dockerfile.filter((i) => i.stage === 0 && i.keyword === 'COPY').map((i) => i.args);
    for (const dir of ['src', 'sim']) assert.ok(buildCopies.includes(`${dir} ./${dir}`), `the build stage copies ${dir}/`);
  });

  test('runs as a non-root user, exposes 10040, health-checks with node, starts dist/main.js', () => {
    const last = (kw: string) => runtime.filter((i) => i.keyword === kw).at(-1)?.args;
    const user = last('USER');
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `USER ${user}`);
    assert.equal(last('EXPOSE'), '10040');
    const health = last('HEALTHCHECK') ?? '';
    assert.match(health, /CMD \["node", "dist\/main\.js", "healthcheck"\]$/);
    assert.ok(!/10040/.test(health), 'no hard-coded port');
    assert.deepEqual(execForm(last('ENTRYPOINT') ?? '[]'), ['node', '--disable-sigusr1', '--max-semi-space-size=32', 'dist/main.js'], 'no signal opens the inspector; a young generation for the parse');
    const cmd = execForm(last('CMD') ?? '[]');
    assert.ok(cmd.some((a) => a.startsWith('--auth.client-secret-file=/run/secrets/')), 'the secret comes from a file');
  });

  test("the image's Node knows --disable-sigusr1 (Node 22.14 and later); where this Node does, the entrypoint starts", () => {
    const from = runtime.find((i) => i.keyword === 'FROM')?.args ?? '';
    const [major = 0, minor = 0] = (/^node:(\d+)\.(\d+)/.exec(from)?.slice(1) ?? []).map(Number);
    assert.ok(major > 22 || (major === 22 && minor >= 14), `FROM ${from}`);
    if (!process.allowedNodeEnvironmentFlags.has('--disable-sigusr1')) return;
    const entry = execForm(runtime.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.args ?? '[]');
    const r = run(process.execPath, [...entry.slice(1), '--version'], { cwd: repoPath('.'), timeoutMs: 30_000 });
    assert.equal(r.status, 0, r.stderr);
  });

  test('.dockerignore keeps local node_modules and build output out of the build context', () => {
    const ignored = readRepoFile('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', 'sim/dist']) assert.ok(ignored.includes(entry), entry);
  });
});

describe('the runtime stage, reproduced in a temp dir', () => {
  const built = existsSync(repoPath('dist/main.js')) && existsSync(repoPath('sim/dist/demo.js'));
  const skip = !built && process.env.CI !== 'true' ? 'dist/main.js or sim/dist/demo.js missing (npm run build)' : false;
  let dir = '';
  let exporter: Child | undefined;

  after(async () => {
    if (exporter) await stopProcess(exporter);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('npm ci --omit=dev against package.json, package-lock.json and the build output, then the image starts and is healthy', { skip, timeout: 300_000 }, async () => {
    assert.ok(built, 'dist/main.js and sim/dist/demo.js exist (npm test builds them first)');
    dir = mkdtempSync(join(tmpdir(), 'vmc-image-'));
    for (const f of ['package.json', 'package-lock.json']) cpSync(repoPath(f), join(dir, f));
    // Exactly what the runtime stage copies from the build stage (dist/, sim/dist/).
    for (const [from, to] of runtimeCopiesFromBuild()) cpSync(repoPath(from), join(dir, to), { recursive: true });

    // The Dockerfile's own command; --prefer-offline only lets npm use its cache first.
    const [npm, ...args] = runtimeInstall();
    const install = run(npm!, [...args, '--prefer-offline'], { cwd: dir, timeoutMs: 240_000 });
    assert.equal(install.status, 0, `${runtimeInstall().join(' ')}\n${install.stdout}\n${install.stderr}`);
    assert.ok(existsSync(join(dir, 'node_modules/prom-client')), 'runtime dependencies installed');
    assert.ok(!existsSync(join(dir, 'node_modules/typescript')), 'no dev dependencies');

    const help = run(process.execPath, ['dist/main.js', '--help'], { cwd: dir, timeoutMs: 30_000 });
    assert.equal(help.status, 0, help.stderr);
    for (const flag of ['--web.listen-address', '--auth.client-secret-file', '--cache.ttl', '--demo']) {
      assert.ok(help.stdout.includes(flag), `--help lists ${flag}`);
    }

    // Start it as `docker compose` does (demo mode) and run the image's HEALTHCHECK command
    // with the container's environment (its own temp dir, where the exporter records itself).
    const port = await freePort();
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    exporter = startProcess('exporter', process.execPath, ['dist/main.js', '--demo', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], childEnv({ NODE_ENV: 'production', TMPDIR: tmp }), { cwd: dir });
    const probe = execForm(/CMD (\[.*\])$/.exec(runtime.filter((i) => i.keyword === 'HEALTHCHECK').at(-1)!.args)![1]!);
    await waitFor(
      'the HEALTHCHECK command to pass',
      async () => {
        const r = spawnSync(probe[0] === 'node' ? process.execPath : probe[0]!, probe.slice(1), { cwd: dir, timeout: 10_000, env: childEnv({ TMPDIR: tmp }) });
        return r.status === 0 ? true : undefined;
      },
      { timeoutMs: 20_000, context: () => exporter!.output() },
    );
    const metrics = await waitFor(
      'vmc_up 1 on /metrics',
      async () => {
        const r = await http(`http://127.0.0.1:${port}/metrics`);
        return parseExposition(r.text).all('vmc_up').some((s) => s.value === 1) ? r.text : undefined;
      },
      { timeoutMs: 20_000, context: () => exporter!.output() },
    );
    assert.equal(parseExposition(metrics).all('vmc_exporter_build_info').length, 1);
  });
});

describe('docker-compose.yml', () => {
  interface Service {
    image?: string;
    build?: string;
    command?: string[];
    volumes?: string[];
    ports?: string[];
    network_mode?: string;
  }
  const compose = readRepoYaml<{ services: Record<string, Service> }>('docker-compose.yml');
  const services = compose.services;
  const mounts = (name: string) =>
    (services[name]?.volumes ?? []).map((v) => {
      const [host, container] = v.split(':');
      return { host: host!, container: container! };
    });

  test('mounts only files the tests check, and they exist', () => {
    const tested = new Set([
      'prometheus.yml',
      ...ruleFilePaths(),
      'alertmanager/alertmanager.yml',
      'grafana/provisioning/datasources/prometheus.yml',
      'grafana/provisioning/dashboards/vmc.yml',
      'grafana/dashboards',
    ]);
    const all = Object.keys(services).flatMap(mounts);
    assert.ok(all.length > 0);
    for (const { host } of all) {
      assert.match(host, /^\.\//, `${host}: a repository path`);
      const rel = host.slice(2).replace(/\/$/, '');
      assert.ok(tested.has(rel), `${host} is not a tested file`);
      assert.ok(existsSync(repoPath(rel)), `${host} exists`);
    }
    assert.ok(statSync(repoPath('grafana/dashboards')).isDirectory());
  });

  test("Prometheus finds its config and rules where prometheus.yml's relative rule_files point", () => {
    const prom = services.prometheus!;
    const configPath = prom.command?.find((a) => a.startsWith('--config.file='))?.split('=')[1];
    assert.ok(configPath);
    const m = mounts('prometheus');
    assert.ok(m.some((x) => x.host === './prometheus.yml' && x.container === configPath));
    for (const rule of loadPrometheusConfig().rule_files) {
      const expected = posix.join(dirname(configPath), rule);
      assert.ok(m.some((x) => x.host === `./${rule}` && x.container === expected), `${rule} mounted at ${expected}`);
    }
  });

  test('the exporter runs in demo mode and every service shares the Prometheus network, so localhost targets resolve', () => {
    const exporter = services.exporter!;
    assert.equal(exporter.build, '.');
    assert.deepEqual(exporter.command, ['--demo', '--web.listen-address=:10040']);
    for (const name of ['exporter', 'alertmanager', 'grafana']) {
      assert.equal(services[name]?.network_mode, 'service:prometheus', name);
    }
    const published = (services.prometheus!.ports ?? []).map((p) => p.split(':').at(-1));
    for (const port of ['9090', '9093', '3000', '10040']) assert.ok(published.includes(port), `port ${port} published`);
    const cfg = loadPrometheusConfig();
    assert.deepEqual(cfg.scrape_configs.find((j) => j.job_name === 'vmc')?.static_configs[0]?.targets, ['localhost:10040']);
  });

  test('Alertmanager and Grafana load the tested files from the paths their configs name', () => {
    const am = services.alertmanager!;
    const amConfig = am.command?.find((a) => a.startsWith('--config.file='))?.split('=')[1];
    assert.ok(mounts('alertmanager').some((x) => x.host === './alertmanager/alertmanager.yml' && x.container === amConfig));
    const provider = readRepoYaml<{ providers: Array<{ options: { path: string } }> }>('grafana/provisioning/dashboards/vmc.yml');
    const g = mounts('grafana');
    assert.ok(g.some((x) => x.host === './grafana/dashboards' && x.container === provider.providers[0]!.options.path), 'dashboards at the provider path');
    assert.ok(g.some((x) => x.host.startsWith('./grafana/provisioning/datasources/') && x.container.startsWith('/etc/grafana/provisioning/datasources/')));
    assert.ok(g.some((x) => x.host.startsWith('./grafana/provisioning/dashboards/') && x.container.startsWith('/etc/grafana/provisioning/dashboards/')));
    for (const name of ['prometheus', 'alertmanager', 'grafana']) assert.match(services[name]?.image ?? '', /:v?\d+\.\d+\.\d+$/, `${name}: pinned image`);
  });
});
