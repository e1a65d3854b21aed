/**
 * MT router benchmark: route selections per second for a table like hermod.example.yaml
 * (content, tags, country, time-window, prefix, weighted, least-cost and default routes),
 * for destinations that stop at different depths of the table. The router is pure, so
 * this is its cost per message on the submit path, without I/O.
 */
import { candidates, matchRoute, type RouteDef, type RoutingContext } from '../src/gateway/index.js';

const routes: RouteDef[] = [
  {
    name: 'otp',
    prefixes: [],
    contentRegex: '/\\bcode\\b.*\\d{4,8}/i',
    type: 'failover',
    connectors: ['fr', 'backup'],
    costs: {},
  },
  {
    name: 'it-promo',
    prefixes: [],
    countries: ['IT'],
    tags: ['promo'],
    timeWindow: { from: 540, to: 1200, days: [1, 2, 3, 4, 5, 6], timeZone: 'Europe/Rome' },
    type: 'static',
    connectors: ['it'],
    costs: {},
  },
  { name: 'italy', prefixes: ['39'], type: 'static', connectors: ['it'], costs: {} },
  {
    name: 'france',
    prefixes: [],
    countries: ['FR'],
    type: 'weighted',
    connectors: ['fr', 'backup'],
    weights: { fr: 70, backup: 30 },
    costs: {},
  },
  {
    name: 'germany',
    prefixes: ['49'],
    type: 'leastcost',
    connectors: ['de', 'backup'],
    costs: { de: { '49': 0.02, '4915': 0.03 }, backup: { '49': 0.025 } },
  },
  {
    name: 'clinic',
    prefixes: [],
    users: ['clinic'],
    sources: ['DrSmile'],
    type: 'static',
    connectors: ['backup'],
    costs: {},
  },
  { name: 'default', prefixes: [], type: 'static', connectors: ['backup'], costs: {} },
];

const N = Number(process.env.BENCH_ROUTES ?? 200_000);
const healthy = () => true;
const now = Date.now();

function run(destination: string, tags: string[] = []): number {
  let text: string | undefined;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const ctx: RoutingContext = {
      destination,
      source: 'Shop',
      user: 'shop',
      group: null,
      text: () => (text ??= 'Hello, your parcel arrives today'),
      tags,
      now,
    };
    const r = matchRoute(routes, ctx)!;
    candidates(r, destination, healthy, i);
  }
  return Math.round(N / ((performance.now() - t0) / 1000));
}

const results = {
  italy_promo_per_s: run('393331234567', ['promo']),
  italy_per_s: run('393331234567'),
  france_weighted_per_s: run('33612345678'),
  germany_leastcost_per_s: run('4915112345678'),
  default_per_s: run('447700900123'),
};
console.log(JSON.stringify({ bench: 'router', results, ratios: {} }));
