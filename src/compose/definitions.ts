/**
 * Connectors and MT routes that change at runtime: seeded from the configuration file into
 * the store at start, changed through the admin API, and persisted there so a change
 * survives restarts (the rules are in docs/configuration.md, "Connectors and routes at
 * runtime"). Part of the composition root: it builds connectors and hands them to the gateway.
 */
import type { Logger } from 'pino';
import { connectorChange, type BindCluster, type Gateway, type RouteDef } from '../gateway/index.js';
import type { MoRouteDef } from '../domain/index.js';
import type { DefinitionSource, Store } from '../store/index.js';
import {
  ConfigError,
  InvalidDefinitionError,
  connectorInput,
  moRouteInput,
  redactConnector,
  routeInput,
  validateConnector,
  keepProviderSecrets,
  validateMoRoutes,
  validateRoutes,
  type Config,
  type ConfigIssue,
  type ConnectorConfig,
} from '../config/index.js';
import { keepMm7Secrets } from '../config/index.js';
import { buildConnector } from './connectors.js';

/** What runs: the store's definitions after the file was seeded into it. */
export interface EffectiveDefinitions {
  connectors: { definition: ConnectorConfig; source: DefinitionSource }[];
  routes: RouteDef[];
  routesSource: DefinitionSource;
  moRoutes: MoRouteDef[];
  moRoutesSource: DefinitionSource;
  /** What the store (an admin API change) overrides in the file, for the start warning. */
  overridden: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Connectors that bind as receiver only: a route may not name them (the file's rule). */
const receiveOnly = (defs: ConnectorConfig[]) =>
  defs.filter((k) => k.type === 'smpp' && k.bindType === 'receiver').map((k) => k.id);

/**
 * Writes the file's connectors and routes into the store and reads back what runs. A
 * definition the admin API wrote (source `api`, a removal included) wins over the file; the
 * file's own rows follow the file, and a file connector no longer in the file is forgotten.
 * Throws ConfigError when what results does not hold together (a route naming a connector
 * that is gone). With `write: false` (`hermod config check --store`) nothing is written:
 * the result is what a start would run with.
 */
export async function seedDefinitions(
  store: Store,
  config: Config,
  { write = true } = {},
): Promise<EffectiveDefinitions> {
  const rows = new Map(
    (await store.listConnectorDefinitions()).map((r) => [
      r.id,
      { definition: r.definition, source: r.source },
    ]),
  );
  const overridden: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const k of config.connectors) {
    const row = rows.get(k.id);
    if (row?.source === 'api') {
      if (row.definition === null) overridden.push(`connector "${k.id}" (removed)`);
      else if (!same(row.definition, connectorInput(k))) overridden.push(`connector "${k.id}"`);
      continue;
    }
    const input = connectorInput(k);
    if (row && same(row.definition, input)) continue;
    if (write) await store.putConnectorDefinition(k.id, input, 'config');
    rows.set(k.id, { definition: input, source: 'config' });
  }
  const inFile = new Set(config.connectors.map((k) => k.id));
  for (const [id, row] of rows) {
    if (row.source !== 'config' || inFile.has(id)) continue;
    if (write) await store.deleteConnectorDefinition(id);
    rows.delete(id);
  }

  const connectors: EffectiveDefinitions['connectors'] = [];
  for (const [id, row] of rows) {
    if (row.definition === null) continue;
    try {
      connectors.push({ definition: validateConnector(row.definition, id), source: row.source });
    } catch (err) {
      // A definition stored by an older Hermod that this one reads differently.
      if (!(err instanceof InvalidDefinitionError)) throw err;
      issues.push(
        ...err.issues.map((i) => ({ path: `store: connector "${id}": ${i.path}`, message: i.message })),
      );
    }
  }

  const storedRoutes = await store.getRouteDefinitions();
  const routesSource: DefinitionSource = storedRoutes?.source === 'api' ? 'api' : 'config';
  const fileRoutes = config.routes.map(routeInput);
  if (write && routesSource === 'config' && !(storedRoutes && same(storedRoutes.routes, fileRoutes)))
    await store.putRouteDefinitions(fileRoutes, 'config');
  let routes: RouteDef[] = [];
  try {
    routes = validateRoutes(routesSource === 'api' ? storedRoutes!.routes : fileRoutes, {
      connectors: connectors.map((k) => k.definition.id),
      receiveOnly: receiveOnly(connectors.map((k) => k.definition)),
    });
  } catch (err) {
    if (!(err instanceof InvalidDefinitionError)) throw err;
    const why = routesSource === 'api' ? 'routes set through the admin API' : 'routes of the file';
    issues.push(
      ...err.issues.map((i) => ({
        path: i.path,
        message: `${i.message} (${why}; connectors removed through the admin API stay removed)`,
      })),
    );
  }
  // The MO route list: the same rule as the MT list (one unit; the API's wins once set).
  const storedMo = await store.getRouteDefinitions('mo');
  const moRoutesSource: DefinitionSource = storedMo?.source === 'api' ? 'api' : 'config';
  const fileMo = config.moRoutes.map(moRouteInput);
  if (write && moRoutesSource === 'config' && !(storedMo && same(storedMo.routes, fileMo)))
    await store.putRouteDefinitions(fileMo, 'config', 'mo');
  let moRoutes: MoRouteDef[] = [];
  try {
    moRoutes =
      moRoutesSource === 'api'
        ? validateMoRoutes(storedMo!.routes, { connectors: connectors.map((k) => k.definition.id) })
        : config.moRoutes;
  } catch (err) {
    if (!(err instanceof InvalidDefinitionError)) throw err;
    issues.push(
      ...err.issues.map((i) => ({
        path: i.path,
        message: `${i.message} (MO routes set through the admin API; connectors removed through the admin API stay removed)`,
      })),
    );
  }
  if (issues.length > 0) throw new ConfigError(issues, 'the store: connectors and routes');
  if (routesSource === 'api' && config.routes.length > 0 && !same(routes, config.routes))
    overridden.push('the MT routes');
  if (moRoutesSource === 'api' && config.moRoutes.length > 0 && !same(moRoutes, config.moRoutes))
    overridden.push('the MO routes');
  return { connectors, routes, routesSource, moRoutes, moRoutesSource, overridden };
}

/**
 * The admin API's changes to connectors and routes: validated like the file, written to the
 * store, then applied to the running gateway. One change at a time.
 */
export class RuntimeDefinitions {
  private readonly definitions = new Map<string, { definition: ConnectorConfig; source: DefinitionSource }>();
  private turn: Promise<unknown> = Promise.resolve();
  /** A sync that `syncSoon()` queued and that has not started yet: later calls join it. */
  private queuedSync: Promise<string[]> | undefined;
  private stopped = false;
  private routeSource: DefinitionSource;
  private moRouteSource: DefinitionSource;

  constructor(
    private readonly store: Store,
    private readonly gateway: Gateway,
    private readonly log: Logger,
    effective: EffectiveDefinitions,
    /** Provider connectors' default `hookBaseUrl` (the configuration's `media.publicUrl`). */
    private readonly hookBaseUrl?: string,
    /** `optOut.account` is set: a Kannel `reply` without its own account is charged to it. */
    private readonly replyFallback = true,
    /** SMPP connectors' binds as cluster leases (buildConnector's `cluster`). */
    private readonly cluster?: BindCluster,
  ) {
    for (const c of effective.connectors) this.definitions.set(c.definition.id, c);
    this.routeSource = effective.routesSource;
    this.moRouteSource = effective.moRoutesSource;
  }

  /** Who wrote the running route list last: the file, or the admin API. */
  routesSource(): DefinitionSource {
    return this.routeSource;
  }

  /** Who wrote the running MO route list last: the file, or the admin API. */
  moRoutesSource(): DefinitionSource {
    return this.moRouteSource;
  }

  /** The definition a connector runs with (its password included: internal use). */
  get(id: string): ConnectorConfig | undefined {
    return this.definitions.get(id)?.definition;
  }

  /** A connector's definition as the admin API shows it (no password) and who wrote it. */
  connector(id: string): { definition: Record<string, unknown>; source: DefinitionSource } | undefined {
    const d = this.definitions.get(id);
    return d && { definition: redactConnector(d.definition), source: d.source };
  }

  /**
   * Creates or replaces a connector. A replaced SMPP connector whose new definition leaves
   * out `password` keeps its password, and a replaced HTTP connector keeps each header value
   * and the callback token sent back as `(hidden)` (a definition read with GET, which never
   * shows them, can be sent back changed).
   */
  putConnector(id: string, body: unknown): Promise<{ created: boolean }> {
    return this.serial(async () => {
      const existing = this.definitions.get(id)?.definition;
      let given = body;
      if (existing?.type === 'smpp' && typeof body === 'object' && body !== null && !Array.isArray(body)) {
        const o = body as Record<string, unknown>;
        if (o.password === undefined && (o.type ?? 'smpp') === 'smpp')
          given = { ...o, password: existing.password };
      }
      if (existing?.type === 'http' && typeof body === 'object' && body !== null && !Array.isArray(body))
        given = keepHiddenSecrets(body as Record<string, unknown>, existing);
      if (existing?.type === 'mm7' && typeof body === 'object' && body !== null && !Array.isArray(body))
        given = keepMm7Secrets(body as Record<string, unknown>, existing);
      if ((existing?.type === 'telnyx' || existing?.type === 'twilio') && typeof body === 'object' && body)
        given = keepProviderSecrets(body as Record<string, unknown>, existing);
      const definition = validateConnector(given, id);
      const next = buildConnector(definition, {
        media: this.gateway.media,
        hookBaseUrl: this.hookBaseUrl,
        cluster: this.cluster,
      });
      await this.store.putConnectorDefinition(id, connectorInput(definition), 'api');
      this.definitions.set(id, { definition, source: 'api' });
      if (existing && this.gateway.getConnector(id)) await this.gateway.replaceConnector(next);
      else await this.gateway.addConnector(next);
      this.log.info(
        { connector: id, type: definition.type, replaced: existing !== undefined },
        existing ? 'admin: connector replaced' : 'admin: connector added',
      );
      return { created: existing === undefined };
    });
  }

  /** Removes a connector for good (a tombstone in the store: the file's definition does not bring it back). */
  removeConnector(id: string): Promise<void> {
    return this.serial(async () => {
      if (!this.gateway.getConnector(id)) throw connectorChange.unknown(id);
      await this.gateway.removeConnector(id);
      await this.store.putConnectorDefinition(id, null, 'api');
      this.definitions.delete(id);
      this.log.info({ connector: id }, 'admin: connector removed');
    });
  }

  /** Replaces the whole ordered MT route list (the file's `routes:` form). */
  setRoutes(body: unknown): Promise<RouteDef[]> {
    return this.serial(async () => {
      const users = (await this.store.listUsers()).map((u) => u.username);
      const defs = [...this.definitions.values()].map((d) => d.definition);
      const routes = validateRoutes(body, {
        connectors: defs.map((k) => k.id),
        receiveOnly: receiveOnly(defs),
        users,
      });
      await this.store.putRouteDefinitions(routes.map(routeInput), 'api');
      this.gateway.setRoutes(routes);
      this.routeSource = 'api';
      this.log.info({ routes: routes.map((r) => r.name) }, 'admin: routes replaced');
      return routes;
    });
  }

  /**
   * Brings this node in line with the store, for a store several nodes share (PostgreSQL):
   * what another node's admin API changed is applied here too. Adds and replaces first,
   * then the route list, then removals, so that no step names a connector that is not
   * there. A step that fails (a definition this version reads differently, a connector
   * still busy here) is logged and tried again at the next sync. Resolves with what changed.
   */
  sync(): Promise<string[]> {
    return this.serial(async () => {
      // From here on the store is read afresh: a trigger that comes now needs a sync after this one.
      this.queuedSync = undefined;
      const changed: string[] = [];
      const rows = await this.store.listConnectorDefinitions();
      const attempt = async (what: string, step: () => Promise<void> | void) => {
        try {
          await step();
          changed.push(what);
        } catch (err) {
          this.log.warn(
            { err, change: what },
            'sync: a change made on another node could not be applied here; retried at the next sync',
          );
        }
      };
      for (const row of rows) {
        if (row.definition === null) continue;
        const mine = this.definitions.get(row.id);
        if (mine && same(connectorInput(mine.definition), row.definition)) continue;
        await attempt(`connector "${row.id}"`, async () => {
          const definition = validateConnector(row.definition, row.id);
          const next = buildConnector(definition, {
            media: this.gateway.media,
            hookBaseUrl: this.hookBaseUrl,
            cluster: this.cluster,
          });
          if (mine && this.gateway.getConnector(row.id)) await this.gateway.replaceConnector(next);
          else await this.gateway.addConnector(next);
          this.definitions.set(row.id, { definition, source: row.source });
        });
      }
      const stored = await this.store.getRouteDefinitions();
      if (stored && !same(stored.routes, this.gateway.routes().map(routeInput))) {
        await attempt('the MT routes', () => {
          const defs = [...this.definitions.values()].map((d) => d.definition);
          this.gateway.setRoutes(
            validateRoutes(stored.routes, {
              connectors: defs.map((k) => k.id),
              receiveOnly: receiveOnly(defs),
            }),
          );
          this.routeSource = stored.source;
        });
      }
      const storedMo = await this.store.getRouteDefinitions('mo');
      if (storedMo && !same(storedMo.routes, this.gateway.moRoutes().map(moRouteInput))) {
        await attempt('the MO routes', () => {
          this.gateway.setMoRoutes(
            validateMoRoutes(storedMo.routes, { connectors: [...this.definitions.keys()] }),
          );
          this.moRouteSource = storedMo.source;
        });
      }
      const kept = new Set(rows.filter((r) => r.definition !== null).map((r) => r.id));
      for (const id of [...this.definitions.keys()]) {
        if (kept.has(id)) continue;
        await attempt(`connector "${id}" (removed)`, async () => {
          if (this.gateway.getConnector(id)) await this.gateway.removeConnector(id);
          this.definitions.delete(id);
        });
      }
      if (changed.length > 0)
        this.log.info({ changes: changed }, 'sync: applied changes made on another node');
      return changed;
    });
  }

  /**
   * A sync for triggers that come in bursts (another node's notifications, the poll): one
   * that comes while a sync waits to start joins it, one that comes while a sync runs gets
   * one more after it (the running one may have read the store before that change), never
   * one per trigger. Resolves with what that sync changed; after `stop()`, with nothing.
   */
  syncSoon(): Promise<string[]> {
    if (this.stopped) return Promise.resolve([]);
    return (this.queuedSync ??= this.sync());
  }

  /** Takes no more `syncSoon()` and waits for the change or sync under way (call before the gateway and the store stop). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.turn;
  }

  /** Replaces the whole ordered MO route list (the file's `moRoutes:` form). */
  setMoRoutes(body: unknown): Promise<MoRouteDef[]> {
    return this.serial(async () => {
      const users = (await this.store.listUsers()).map((u) => u.username);
      const routes = validateMoRoutes(body, {
        connectors: [...this.definitions.keys()],
        users,
        replyFallback: this.replyFallback,
      });
      await this.store.putRouteDefinitions(routes.map(moRouteInput), 'api', 'mo');
      this.gateway.setMoRoutes(routes);
      this.moRouteSource = 'api';
      this.log.info(
        { moRoutes: routes.map((r, i) => r.name ?? `moRoutes[${i}]`) },
        'admin: MO routes replaced',
      );
      return routes;
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }
}

/** An HTTP connector's definition with the values GET showed as `(hidden)` put back from the running one. */
function keepHiddenSecrets(
  o: Record<string, unknown>,
  existing: Extract<ConnectorConfig, { type: 'http' }>,
): Record<string, unknown> {
  const out = { ...o };
  if (typeof o.headers === 'object' && o.headers !== null) {
    out.headers = Object.fromEntries(
      Object.entries(o.headers as Record<string, unknown>).map(([k, v]) => [
        k,
        v === '(hidden)' && k in existing.headers ? existing.headers[k] : v,
      ]),
    );
  }
  if (
    typeof o.dlr === 'object' &&
    o.dlr !== null &&
    (o.dlr as Record<string, unknown>).token === '(hidden)' &&
    existing.dlr
  )
    out.dlr = { ...(o.dlr as Record<string, unknown>), token: existing.dlr.token };
  if (
    typeof o.mo === 'object' &&
    o.mo !== null &&
    (o.mo as Record<string, unknown>).token === '(hidden)' &&
    existing.mo
  )
    out.mo = { ...(o.mo as Record<string, unknown>), token: existing.mo.token };
  return out;
}
