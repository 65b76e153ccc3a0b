/**
 * The Kubernetes manifests under deploy/kubernetes: `kubectl kustomize` renders the base,
 * every overlay and the components on top of them; every rendered object validates against
 * its schema (kubernetes-models, @kubernetes-models/prometheus-operator); and what the docs
 * promise holds: pod security, probes, resources, the exporter accepts the container's
 * flags, the PrometheusRule equals the rules file, the dashboard ConfigMap equals the
 * dashboard, the generated copies do not drift, and the sharded overlay's shards line up.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Probe } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { parse, parseAllDocuments } from 'yaml';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { DEMO } from '../../sim/src/demo-estate.js';
import { DASHBOARD_LABEL, DASHBOARDS_CONFIGMAP, DASHBOARDS_DIR, GENERATED_DIR, kubernetesFiles, RULES_DIR } from '../../scripts/kubernetes-files.js';
import { kubectlProblem, requireKubectl } from './lib/kubectl.js';
import { readRepoFile, ROOT, run } from './lib/tools.js';

const KUSTOMIZE = 'deploy/kubernetes';
const NAMESPACE = 'monitoring';

/** What gets rendered: the base, the overlays, and the components on top of base and sharded. */
const RENDERS: Readonly<Record<string, { readonly dir?: string; readonly resource?: string; readonly components?: readonly string[] }>> = {
  base: { dir: 'base' },
  demo: { dir: 'overlays/demo' },
  sharded: { dir: 'overlays/sharded' },
  'base+tls': { resource: 'base', components: ['tls'] },
  'base+tls+client-cert': { resource: 'base', components: ['tls', 'client-cert'] },
  'sharded+tls+client-cert': { resource: 'overlays/sharded', components: ['tls', 'client-cert'] },
};

/** A rendered object, loosely typed. */
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

type Container = {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type PodTemplate = {
  metadata?: unknown;
  spec: {
    automountServiceAccountToken?: boolean;
    securityContext?: Record<string, unknown>;
    containers: Container[];
    volumes?: Array<{ name: string; secret?: { secretName: string; items?: Array<{ key: string }> } }>;
  };
};
type Workload = K8sObject & { spec: { replicas?: number; serviceName?: string; template: PodTemplate } };
type ProbeObject = K8sObject & {
  spec: { jobName: string; prober: { url: string; path: string }; targets: { staticConfig: { static: string[]; relabelingConfigs?: Array<Record<string, unknown>> } } };
};

/** The model class of each kind the manifests may hold; any other kind fails the test. */
const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/Probe': Probe,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

function validate(obj: K8sObject, where: string): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  assert.ok(Model, `${where}: ${obj.apiVersion} ${obj.kind} is not a kind the manifests should hold`);
  try {
    new Model(obj as never).validate();
  } catch (err) {
    assert.fail(`${where}: ${obj.kind} ${obj.metadata.name} does not validate: ${(err as Error).message}`);
  }
}

const workloads = (objs: readonly K8sObject[]): Workload[] => objs.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Workload[];
const probes = (objs: readonly K8sObject[]): ProbeObject[] => objs.filter((o) => o.kind === 'Probe') as ProbeObject[];
const one = <T extends K8sObject>(objs: readonly K8sObject[], kind: string): T => {
  const found = objs.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0] as T;
};
const container = (w: Workload): Container => {
  assert.equal(w.spec.template.spec.containers.length, 1, 'one container');
  return w.spec.template.spec.containers[0]!;
};

/** Every file under `dir` (repository-relative paths). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out.sort();
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const rendered = new Map<string, K8sObject[]>();
  let tmp = '';
  const problem = kubectlProblem();

  /** The objects of a render; skips (or fails in CI) without a suitable kubectl. */
  function objects(t: TestContext, name: string): K8sObject[] | undefined {
    if (requireKubectl(t) === undefined) return undefined;
    const objs = rendered.get(name);
    assert.ok(objs, `render ${name}`);
    return objs;
  }

  before(() => {
    if (problem !== undefined) return;
    tmp = mkdtempSync(join(tmpdir(), 'vmc-kustomize-'));
    for (const [name, spec] of Object.entries(RENDERS)) {
      let dir = join(ROOT, KUSTOMIZE, spec.dir ?? '');
      if (spec.resource !== undefined) {
        // kustomize takes relative paths only, also for a tree outside the kustomization.
        dir = join(tmp, name);
        const rel = (p: string) => relative(dir, join(ROOT, KUSTOMIZE, p));
        const kustomization = [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'resources:',
          `  - ${rel(spec.resource)}`,
          'components:',
          ...(spec.components ?? []).map((c) => `  - ${rel(`components/${c}`)}`),
          '',
        ].join('\n');
        mkdirSync(dir);
        writeFileSync(join(dir, 'kustomization.yaml'), kustomization);
      }
      const r = run('kubectl', ['kustomize', dir], { timeoutMs: 60_000 });
      assert.equal(r.status, 0, `kubectl kustomize ${name}: ${r.stderr}`);
      rendered.set(
        name,
        parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject),
      );
    }
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('kubectl kustomize renders the base, every overlay and the components; every object validates against its schema', (t) => {
    if (requireKubectl(t) === undefined) return;
    const overlays = readdirSync(join(ROOT, KUSTOMIZE, 'overlays')).sort();
    assert.deepEqual(overlays, ['demo', 'sharded'], 'every overlay is rendered here');
    const components = readdirSync(join(ROOT, KUSTOMIZE, 'components')).sort();
    assert.deepEqual(components, ['client-cert', 'tls'], 'every component is rendered here');
    for (const [name, objs] of rendered) {
      assert.ok(objs.length >= 7, `${name}: ${objs.length} objects`);
      for (const obj of objs) validate(obj, name);
    }
  });

  test('the Secret example validates, is what the workload reads, and is in no render (kubectl apply -k never overwrites it)', (t) => {
    const secret = parse(readRepoFile(KUSTOMIZE, 'base/secret.example.yaml')) as K8sObject & { stringData: Record<string, string> };
    validate(secret, 'secret.example.yaml');
    assert.deepEqual(Object.keys(secret.stringData).sort(), ['client-id', 'client-secret']);
    const objs = objects(t, 'base');
    if (!objs) return;
    assert.ok(!objs.some((o) => o.kind === 'Secret'));
    const w = one<Workload>(objs, 'Deployment');
    const c = container(w);
    assert.deepEqual(c.env?.find((e) => e.name === 'VMC_CLIENT_ID')?.valueFrom?.secretKeyRef, { name: secret.metadata.name, key: 'client-id' });
    const volume = w.spec.template.spec.volumes?.find((v) => v.secret?.secretName === secret.metadata.name);
    assert.deepEqual(volume?.secret?.items?.map((i) => i.key), ['client-secret'], 'only the secret is mounted as a file');
    const mount = c.volumeMounts?.find((m) => m.name === volume?.name);
    assert.ok(c.args?.includes(`--auth.client-secret-file=${mount?.mountPath}/client-secret`), 'the exporter reads the mounted file');
    assert.equal(secret.metadata.namespace, NAMESPACE);
  });

  test('every namespaced object is in the namespace the Probe URLs name', (t) => {
    for (const name of Object.keys(RENDERS)) {
      const objs = objects(t, name);
      if (!objs) return;
      for (const o of objs) assert.equal(o.metadata.namespace, NAMESPACE, `${name}: ${o.kind} ${o.metadata.name}`);
      for (const p of probes(objs)) assert.match(p.spec.prober.url, new RegExp(`^vmc-exporter(-\\d+\\.vmc-exporter)?\\.${NAMESPACE}\\.svc:10040$`), `${name}: ${p.metadata.name}`);
    }
  });

  test('pod security: non-root, read-only root filesystem, no privilege escalation, no capabilities, seccomp RuntimeDefault, no service account token; requests and limits', (t) => {
    for (const name of Object.keys(RENDERS)) {
      const objs = objects(t, name);
      if (!objs) return;
      for (const w of workloads(objs)) {
        const pod = w.spec.template.spec;
        const c = container(w);
        const where = `${name}: ${w.kind}`;
        assert.equal(pod.automountServiceAccountToken, false, where);
        assert.equal(pod.securityContext?.['runAsNonRoot'], true, where);
        assert.ok(Number(pod.securityContext?.['runAsUser']) > 0, `${where}: a non-zero uid`);
        assert.deepEqual(pod.securityContext?.['seccompProfile'], { type: 'RuntimeDefault' }, where);
        assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } }, where);
        for (const kind of ['requests', 'limits'] as const) {
          assert.ok(c.resources?.[kind]?.['cpu'] && c.resources[kind]['memory'], `${where}: ${kind} for cpu and memory`);
        }
        const mib = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? Number.NaN);
        assert.ok(mib(c.resources!.limits!['memory']!) >= 2 * mib(c.resources!.requests!['memory']!), `${where}: memory limit leaves room for peaks over the request`);
      }
    }
  });

  test('liveness /-/healthy and readiness /-/ready over HTTP; HTTPS with the tls component; an exec healthcheck with client certificates', (t) => {
    const expect: Record<string, 'HTTP' | 'HTTPS' | 'exec'> = { base: 'HTTP', demo: 'HTTP', sharded: 'HTTP', 'base+tls': 'HTTPS', 'base+tls+client-cert': 'exec', 'sharded+tls+client-cert': 'exec' };
    for (const [name, mode] of Object.entries(expect)) {
      const objs = objects(t, name);
      if (!objs) return;
      for (const w of workloads(objs)) {
        const c = container(w);
        for (const [probe, path] of [
          [c.livenessProbe, '/-/healthy'],
          [c.readinessProbe, '/-/ready'],
        ] as const) {
          assert.ok(probe, `${name}: probe for ${path}`);
          if (mode === 'exec') {
            const command = (probe['exec'] as { command: string[] }).command;
            assert.deepEqual(command.slice(0, 3), ['node', 'dist/main.js', 'healthcheck'], name);
            const webConfig = c.args?.find((a) => a.startsWith('--web.config.file='));
            assert.ok(webConfig && command.includes(webConfig), `${name}: the healthcheck uses the container's web config`);
          } else {
            const get = probe['httpGet'] as { path: string; port: string; scheme?: string };
            assert.equal(get.path, path, name);
            assert.equal(get.port, 'http', name);
            assert.equal(get.scheme ?? 'HTTP', mode, name);
          }
        }
      }
    }
  });

  test('the exporter accepts every container command line (its own flag parser)', async (t) => {
    for (const name of Object.keys(RENDERS)) {
      const objs = objects(t, name);
      if (!objs) return;
      for (const w of workloads(objs)) {
        const c = container(w);
        const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? 'from-a-secret']));
        const parsed = await parseCommandLine(c.args ?? [], env, { version: 'test', collectors: COLLECTORS, readFile: () => Promise.resolve('x') });
        assert.equal(parsed.action, name === 'demo' ? 'demo' : 'run', `${name}: ${c.args?.join(' ')}`);
      }
    }
  });

  test('the image tag is the package version', (t) => {
    const version = (JSON.parse(readRepoFile('package.json')) as { version: string }).version;
    for (const name of Object.keys(RENDERS)) {
      const objs = objects(t, name);
      if (!objs) return;
      for (const w of workloads(objs)) assert.equal(container(w).image, `vmc-exporter:${version}`, name);
    }
  });

  test('/metrics through a ServiceMonitor as job "vmc" (what the rules expect); orgs through Probes as job vmc-probe on /probe', (t) => {
    for (const name of Object.keys(RENDERS)) {
      const objs = objects(t, name);
      if (!objs) return;
      const sm = one<K8sObject & { spec: { endpoints: Array<{ port: string; path: string; relabelings?: unknown[] }> } }>(objs, 'ServiceMonitor');
      assert.equal(sm.spec.endpoints.length, 1);
      assert.equal(sm.spec.endpoints[0]!.path, '/metrics');
      assert.deepEqual(sm.spec.endpoints[0]!.relabelings, [{ targetLabel: 'job', replacement: 'vmc' }]);
      assert.ok(probes(objs).length >= 1, name);
      for (const p of probes(objs)) {
        assert.equal(p.spec.jobName, 'vmc-probe');
        assert.equal(p.spec.prober.path, '/probe');
        assert.ok(p.spec.targets.staticConfig.static.length > 0, `${name}: ${p.metadata.name} lists orgs`);
      }
      for (const w of workloads(objs)) assert.ok(container(w).args?.includes('--no-vmc.discover'), `${name}: orgs only through probes`);
    }
  });

  test('each PrometheusRule equals its rules file', (t) => {
    const objs = objects(t, 'base');
    if (!objs) return;
    const files = readdirSync(join(ROOT, RULES_DIR)).filter((f) => f.endsWith('.yml') && !f.endsWith('.test.yml'));
    const rules = objs.filter((o) => o.kind === 'PrometheusRule') as Array<K8sObject & { spec: unknown }>;
    assert.equal(rules.length, files.length, 'one PrometheusRule per rules file');
    for (const file of files) {
      const rule = rules.find((r) => r.metadata.name === `vmc-exporter-${file.replace(/\.yml$/, '')}`);
      assert.ok(rule, file);
      assert.deepEqual(rule.spec, parse(readRepoFile(RULES_DIR, file)));
    }
  });

  test('the dashboard ConfigMap holds every dashboard unchanged, with the sidecar label', (t) => {
    const objs = objects(t, 'base');
    if (!objs) return;
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === DASHBOARDS_CONFIGMAP) as (K8sObject & { data: Record<string, string> }) | undefined;
    assert.ok(cm, DASHBOARDS_CONFIGMAP);
    for (const [k, v] of Object.entries(DASHBOARD_LABEL)) assert.equal(cm.metadata.labels?.[k], v);
    const boards = readdirSync(join(ROOT, DASHBOARDS_DIR)).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(Object.keys(cm.data).sort(), boards);
    for (const b of boards) assert.equal(cm.data[b], readRepoFile(DASHBOARDS_DIR, b), b);
    assert.ok(JSON.stringify(cm).length < 256 * 1024, 'small enough for kubectl apply (last-applied annotation)');
  });

  test('the sharded overlay: a StatefulSet of N replicas with the base pod, a headless Service, and N Probes that split the orgs and each go to its own pod', (t) => {
    const objs = objects(t, 'sharded');
    const base = objects(t, 'base');
    if (!objs || !base) return;
    assert.ok(!objs.some((o) => o.kind === 'Deployment'), 'no Deployment');
    const sts = one<Workload>(objs, 'StatefulSet');
    const n = sts.spec.replicas!;
    assert.ok(n >= 2);
    assert.deepEqual(sts.spec.template, one<Workload>(base, 'Deployment').spec.template, 'the pod is the base pod');
    const svc = one<K8sObject & { spec: { clusterIP?: string } }>(objs, 'Service');
    assert.equal(svc.spec.clusterIP, 'None');
    assert.equal(sts.spec.serviceName, svc.metadata.name);
    const shardProbes = probes(objs);
    assert.equal(shardProbes.length, n, 'one Probe per replica');
    const orgs = probes(base)[0]!.spec.targets.staticConfig.static;
    const shards = new Set<string>();
    for (const p of shardProbes) {
      const shard = p.metadata.labels?.['vmc-exporter/shard'];
      assert.ok(shard !== undefined, `${p.metadata.name}: shard label`);
      shards.add(shard);
      assert.deepEqual(p.spec.targets.staticConfig.static, orgs, 'every shard reads the one org list');
      assert.deepEqual(p.spec.targets.staticConfig.relabelingConfigs, [
        { sourceLabels: ['__param_target'], modulus: n, targetLabel: '__tmp_shard', action: 'hashmod' },
        { sourceLabels: ['__tmp_shard'], regex: shard, action: 'keep' },
      ]);
      assert.equal(p.spec.prober.url, `${sts.metadata.name}-${shard}.${svc.metadata.name}.${NAMESPACE}.svc:10040`, 'shard i probes pod i');
    }
    assert.deepEqual([...shards].sort(), Array.from({ length: n }, (_, i) => String(i)));
  });

  test('the demo overlay: --demo, no credentials anywhere, the demo orgs probed', (t) => {
    const objs = objects(t, 'demo');
    if (!objs) return;
    const w = one<Workload>(objs, 'Deployment');
    assert.ok(container(w).args?.includes('--demo'));
    assert.doesNotMatch(JSON.stringify(w), /vmc-exporter-credentials|secretKeyRef|auth\./);
    assert.deepEqual([...probes(objs)[0]!.spec.targets.staticConfig.static].sort(), Object.values(DEMO.orgs).sort());
  });

  test(`the generated copies in ${GENERATED_DIR} match their sources (npm run gen:kubernetes)`, () => {
    const expected = kubernetesFiles(ROOT);
    assert.deepEqual(filesUnder(GENERATED_DIR), [...expected.keys()].sort(), 'no missing and no stale generated file');
    for (const [path, content] of expected) assert.equal(readFileSync(join(ROOT, path), 'utf8'), content, `${path} is stale: run npm run gen:kubernetes`);
  });
});
