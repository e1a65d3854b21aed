// The deployment files (Dockerfile, docker-compose.yml, deploy/) kept true to the code:
// every metric the Grafana dashboard and the Prometheus rules query exists in the
// /metrics of a running Hermod that moved a message; the Kubernetes probes answer on the
// port they name; the ports exposed are Hermod's defaults; the configurations shipped load.
// (No container is built here: this machine has no Docker daemon.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { SmppClient } from '../../src/smpp/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** Metric names a PromQL expression reads (histogram series by their base name). */
function metricsOf(expr: string): string[] {
  return [...expr.matchAll(/\b(hermod_[a-z0-9_]+)/g)].map((m) => m[1].replace(/_(bucket|sum|count)$/, ''));
}

test('deploy/: the dashboard’s and the alert rules’ metrics exist; the Kubernetes probes answer; ports and configurations match Hermod', async () => {
  const dashboard = JSON.parse(read('deploy/grafana/hermod-dashboard.json')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const rules = parse(read('deploy/prometheus/hermod-alerts.yml')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  const wanted = new Set([
    ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsOf(t.expr))),
    ...rules.groups.flatMap((g) => g.rules.flatMap((r) => metricsOf(r.expr))),
  ]);
  assert.ok(wanted.size >= 10, `the files query Hermod's metrics: ${[...wanted].join(', ')}`);
  assert.ok(
    dashboard.panels.every((p) => p.targets.length > 0),
    'every panel has a query',
  );

  interface Probe {
    httpGet: { path: string; port: string };
  }
  interface Manifest {
    kind: string;
    data?: Record<string, string>;
    spec?: {
      template: {
        spec: {
          securityContext?: { runAsNonRoot?: boolean };
          containers: {
            image: string;
            ports: { name: string; containerPort: number }[];
            livenessProbe: Probe;
            readinessProbe: Probe;
          }[];
        };
      };
    };
  }
  const k8s = parseAllDocuments(read('deploy/kubernetes/hermod.yaml')).map((d) => d.toJS() as Manifest);
  const container = k8s.find((d) => d.kind === 'Deployment')!.spec!.template.spec.containers[0];
  const ports = Object.fromEntries(container.ports.map((p) => [p.name, p.containerPort]));
  assert.deepEqual(ports, { smpp: 2775, 'jasmin-http': 1401, api: 8080 }, 'Hermod’s default ports');
  const config = k8s.find((d) => d.kind === 'ConfigMap')!;
  parseConfig(parse(config.data!['hermod.yaml']), {}, 'the ConfigMap');
  parseConfig(parse(read('deploy/hermod.yaml')), {}, 'deploy/hermod.yaml');
  assert.match(read('Dockerfile'), /^EXPOSE 2775 1401 8080$/m);
  // Two stages; the image runs the build as a non-root user, no tsx, and checks /healthz.
  const stages = read('Dockerfile')
    .split(/^FROM /m)
    .slice(1);
  assert.equal(stages.length, 2, 'a build stage and a runtime stage');
  assert.match(stages[0], /npm run build/);
  assert.match(stages[1], /^ENTRYPOINT \["node", "dist\/main\.js"\]$/m);
  assert.match(stages[1], /^USER node$/m);
  assert.match(stages[1], /^HEALTHCHECK .*\n?.*\/healthz/m);
  assert.doesNotMatch(stages[1], /tsx|COPY src|g\+\+/);
  const pkg = JSON.parse(read('package.json')) as {
    scripts: Record<string, string>;
    files: string[];
    dependencies: Record<string, string>;
  };
  assert.equal(pkg.scripts.prepack, 'npm run build');
  assert.ok(pkg.files.includes('dist/') && pkg.files.includes('bin/'), 'the package ships dist/ and bin/');
  assert.ok(
    !('tsx' in pkg.dependencies),
    'tsx is for a clone (npm start, bin/ from sources), not a runtime dependency',
  );
  assert.equal(container.image, 'hermod:latest');
  assert.equal(
    k8s.find((d) => d.kind === 'Deployment')!.spec!.template.spec.securityContext?.runAsNonRoot,
    true,
  );
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, { ports?: string[]; volumes?: string[] }>;
  };
  assert.deepEqual(compose.services.hermod.ports, ['2775:2775', '1401:1401', '8080:8080']);
  for (const v of Object.values(compose.services).flatMap((s) => s.volumes ?? [])) {
    const local = v.split(':')[0];
    if (local.startsWith('./'))
      assert.ok(existsSync(new URL(local.slice(2), root)), `compose mounts ${local}, which exists`);
  }
  assert.deepEqual(
    (
      parse(read('deploy/prometheus/prometheus.yml')) as {
        scrape_configs: { static_configs: { targets: string[] }[] }[];
      }
    ).scrape_configs[0].static_configs[0].targets,
    ['hermod:8080'],
  );

  // A running Hermod that moved a message and its receipt: the metrics, and the probes.
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  try {
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    await c.connect();
    const { messageId } = await c.submitSm({
      destinationAddr: '447700900123',
      shortMessage: Buffer.from('metrics'),
      registeredDelivery: 1,
    });
    await until('delivered', async () => (await h.store.getMessage(messageId))?.state === 'delivered');
    await c.close();
    const exposed = await (await fetch(`http://127.0.0.1:${h.apiPort}/metrics`)).text();
    const names = new Set([...exposed.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    assert.deepEqual(
      [...wanted].filter((m) => !names.has(m)),
      [],
      'every metric the files query is exposed',
    );
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      assert.equal(probe.httpGet.port, 'api');
      const r = await fetch(`http://127.0.0.1:${h.apiPort}${probe.httpGet.path}`);
      assert.equal(r.status, 200, `${probe.httpGet.path} answers`);
      assert.match(r.headers.get('content-type') ?? '', /application\/health\+json/);
    }
  } finally {
    await h.stop();
  }
});
