/**
 * MT routing as pure functions: an ordered route table (first match wins, like Jasmin's
 * MT router) and, per route type, the ordered list of connectors to try.
 */
export interface RouteDef {
  name: string;
  /** Destination prefixes (E.164 digits); empty matches every destination. */
  prefixes: string[];
  type: 'static' | 'failover' | 'roundrobin' | 'leastcost';
  connectors: string[];
  /** connector id → destination prefix → cost, for least-cost routing. */
  costs: Record<string, Record<string, number>>;
  /** Customer price per part on this route. */
  rate?: number;
}

export function matchRoute(routes: readonly RouteDef[], destination: string): RouteDef | undefined {
  return routes.find((r) => r.prefixes.length === 0 || r.prefixes.some((p) => destination.startsWith(p)));
}

/** The cost of `destination` on a connector: the longest matching prefix of its table. */
export function costOf(table: Record<string, number> | undefined, destination: string): number {
  let best = -1;
  let cost = Infinity;
  for (const [prefix, c] of Object.entries(table ?? {})) {
    if (destination.startsWith(prefix) && prefix.length > best) {
      best = prefix.length;
      cost = c;
    }
  }
  return cost;
}

/**
 * Connectors to try, best first. Healthy connectors come before unhealthy ones in every
 * type, so a failover route moves to its backup while the primary is down and returns to
 * the primary (failback) as soon as it is healthy again.
 */
export function candidates(route: RouteDef, destination: string, healthy: (id: string) => boolean, turn = 0): string[] {
  let order: string[];
  switch (route.type) {
    case 'static':
    case 'failover':
      order = [...route.connectors];
      break;
    case 'roundrobin': {
      const k = turn % route.connectors.length;
      order = [...route.connectors.slice(k), ...route.connectors.slice(0, k)];
      break;
    }
    case 'leastcost':
      order = [...route.connectors].sort((a, b) => costOf(route.costs[a], destination) - costOf(route.costs[b], destination));
      break;
  }
  return [...order.filter(healthy), ...order.filter((c) => !healthy(c))];
}
