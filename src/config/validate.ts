/**
 * One connector definition and the MT route list, validated with the rules and messages of
 * the YAML loader (which calls the same functions): the file and the admin API cannot disagree.
 */
import { checkMm7Connector, redactMm7 } from './connector-mm7.js';
import { mmsMaxBytesOf } from './connector-mms.js';
import { HermodError } from '../lib/errors.js';
import {
  SPLIT_SETTINGS,
  TEXT_DATA_CODINGS,
  type MoRouteDef,
  type RouteDef,
  type TextDataCoding,
  type TimeWindow,
} from '../domain/index.js';
import { Checker, DAYS, describe, dropUndefined, type Obj } from './checker.js';
import type {
  ConfigIssue,
  ConnectorConfig,
  HttpConnectorConfig,
  SimulatorConnectorConfig,
  SmppClientTlsConfig,
  SmppConnectorConfig,
} from './schema.js';
import { readFileSync } from 'node:fs';
import { checkProviderConnector, redactProviderConnector } from './connector-providers.js';
import { checkMoRoutes, checkRoutes } from './routes.js';

/**
 * A connector's `tls`: true / false, or `{ ca, servername, insecure }`. The CA file is read
 * here, so a wrong path or a file without a certificate stops the start naming the key.
 */
function clientTls(c: Checker, v: unknown, path: string): boolean | SmppClientTlsConfig {
  if (v === undefined || typeof v === 'boolean') return v ?? false;
  const o = c.obj(v, path, ['ca', 'servername', 'insecure']);
  if (!o) return false;
  const out: SmppClientTlsConfig = {};
  if (o.ca !== undefined) {
    const ca = c.str(o, 'ca', path);
    if (ca !== undefined) {
      let pem = '';
      try {
        pem = readFileSync(ca, 'utf8');
      } catch (err) {
        c.fail(
          `${path}.ca`,
          `cannot read "${ca}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
      if (pem !== '' && !pem.includes('-----BEGIN CERTIFICATE-----'))
        c.fail(`${path}.ca`, `"${ca}" holds no PEM certificate`);
      out.ca = ca;
    }
  }
  if (o.servername !== undefined) out.servername = c.str(o, 'servername', path);
  if (o.insecure !== undefined) out.insecure = c.bool(o, 'insecure', path, false);
  return out;
}

/** A connector or route list the admin API refused: HTTP 400, every problem with its key path. */
export class InvalidDefinitionError extends HermodError {
  readonly httpStatus = 400;

  constructor(readonly issues: ConfigIssue[]) {
    super('HERMOD_ERR_INVALID_DEFINITION', issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

/**
 * A connector definition from the admin API (the same keys as one entry of `connectors:`).
 * `id` may be left out; when given it must be the id of the path. Problems are named
 * `connector.<key>`.
 */
export function validateConnector(def: unknown, id: string): ConnectorConfig {
  const c = new Checker();
  const given = typeof def === 'object' && def !== null && !Array.isArray(def) ? (def as Obj) : undefined;
  if (given?.id !== undefined && given.id !== id)
    c.fail('connector.id', `${describe(given.id)} is not the id of the path ("${id}")`);
  const k = checkConnector(c, given ? { ...given, id } : def, 'connector');
  if (c.issues.length > 0 || !k)
    throw new InvalidDefinitionError(
      c.issues.length > 0 ? c.issues : [{ path: 'connector', message: 'invalid' }],
    );
  return k;
}

/**
 * The whole ordered MT route list from the admin API (the same keys as `routes:` in the
 * file). Every connector a route names must exist; users are checked when `known.users` is given.
 */
export function validateRoutes(
  list: unknown,
  known: { connectors: readonly string[]; receiveOnly?: readonly string[]; users?: readonly string[] },
): RouteDef[] {
  const c = new Checker();
  if (!Array.isArray(list))
    throw new InvalidDefinitionError([{ path: 'routes', message: `expected a list, got ${describe(list)}` }]);
  const routes = checkRoutes(c, list, known);
  if (c.issues.length > 0) throw new InvalidDefinitionError(c.issues);
  return routes;
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** A time window as the file writes it ("08:00-20:00", day names): what validateRoutes reads back. */
function timeWindowInput(w: TimeWindow): Obj {
  // `to` 0 is midnight at the end of the window ("22:00-24:00" and "00:00-24:00" store 0).
  return dropUndefined({
    hours: `${hhmm(w.from)}-${w.to === 0 ? '24:00' : hhmm(w.to)}`,
    days: w.days?.map((d) => DAYS[d]),
    timeZone: w.timeZone,
  });
}

/** A validated route in the form the file and the admin API take (the store keeps this form). */
export function routeInput(r: RouteDef): Obj {
  const { timeWindow, ...rest } = r;
  return { ...rest, ...(timeWindow ? { timeWindow: timeWindowInput(timeWindow) } : {}) };
}

/** A validated MO route in the form the file and the admin API take (the store keeps this form). */
export function moRouteInput(r: MoRouteDef): Obj {
  const { timeWindow, ...rest } = r;
  return { ...rest, ...(timeWindow ? { timeWindow: timeWindowInput(timeWindow) } : {}) };
}

/**
 * The whole ordered MO route list from the admin API (the same keys as `moRoutes:` in the
 * file). Connectors in `originConnectors` must exist; users are checked when `known.users` is given.
 */
export function validateMoRoutes(
  list: unknown,
  known: {
    connectors: readonly string[];
    users?: readonly string[];
    replyFallback?: boolean;
    smtp?: boolean;
  },
): MoRouteDef[] {
  const c = new Checker();
  if (!Array.isArray(list))
    throw new InvalidDefinitionError([
      { path: 'moRoutes', message: `expected a list, got ${describe(list)}` },
    ]);
  const routes = checkMoRoutes(c, list, known);
  if (c.issues.length > 0) throw new InvalidDefinitionError(c.issues);
  return routes;
}

/** A validated connector in the form the file and the admin API take (the store keeps this form). */
export function connectorInput(k: ConnectorConfig): Obj {
  const o: Obj = dropUndefined({ ...k });
  // The loader reads an absent system_type as ''; it refuses an empty string written out.
  if (o.systemType === '') delete o.systemType;
  return o;
}

/** A connector definition as GET shows it: never its password. */
export function redactConnector(k: ConnectorConfig): Obj {
  const { password: _password, ...rest } = connectorInput(k);
  // An HTTP provider's credentials are in its headers and the callback token: values hidden.
  if (k.type === 'http') {
    rest.headers = Object.fromEntries(Object.keys(k.headers).map((h) => [h, '(hidden)']));
    if (k.dlr) rest.dlr = { ...k.dlr, token: '(hidden)' };
    if (k.mo) rest.mo = { ...k.mo, token: '(hidden)' };
  }
  if (k.type === 'mm7') return redactMm7(rest, k);
  if (k.type === 'telnyx' || k.type === 'twilio') return redactProviderConnector(k, rest);
  return rest;
}

/**
 * A connector's `bindType` and `receiver`: a separate receiver session (Kannel's
 * `receive-port`) goes with a transmitter bind, which is then the default.
 */
function bindOf(c: Checker, o: Obj, p: string): Pick<SmppConnectorConfig, 'bindType' | 'receiver'> {
  if (o.receiver === undefined)
    return { bindType: c.oneOf(o, 'bindType', p, BIND_TYPES, 'transceiver') ?? 'transceiver' };
  const r = c.obj(o.receiver ?? {}, `${p}.receiver`, ['port']) ?? {};
  const port =
    r.port === undefined ? undefined : c.num(r, 'port', `${p}.receiver`, { min: 1, max: 65535, int: true });
  const bindType = c.oneOf(o, 'bindType', p, BIND_TYPES, 'transmitter') ?? 'transmitter';
  if (bindType !== 'transmitter')
    c.fail(
      `${p}.receiver`,
      `a separate receiver session goes with bindType transmitter, got bindType ${describe(bindType)} (leave bindType out or set it to transmitter)`,
    );
  return { bindType: 'transmitter', receiver: port === undefined ? {} : { port } };
}

const BIND_TYPES = ['transceiver', 'transmitter', 'receiver'] as const;

/** A connector's `dataCoding`: the data_coding its GSM-alphabet text goes out as (default 0). */
function textCoding(c: Checker, o: Obj, p: string): TextDataCoding {
  const v = o.dataCoding;
  if (v === undefined) return 0;
  if (!TEXT_DATA_CODINGS.includes(v as TextDataCoding))
    c.fail(
      `${p}.dataCoding`,
      `expected 0 (SMSC default alphabet, GSM 03.38), 1 (IA5/ASCII) or 3 (Latin-1), got ${describe(v)}; UCS-2 (8) is chosen per message when the text needs it`,
    );
  return TEXT_DATA_CODINGS.includes(v as TextDataCoding) ? (v as TextDataCoding) : 0;
}

/** One connector definition at `p` ("connectors[0]" in the file, "connector" in the admin API). */
export function checkConnector(c: Checker, x: unknown, p: string): ConnectorConfig | undefined {
  const type = typeof x === 'object' && x !== null ? (x as Obj).type : undefined;
  if (type === 'simulator') return checkSimulatorConnector(c, x, p);
  if (type === 'smpp') return checkSmppConnector(c, x, p);
  if (type === 'http') return checkHttpConnector(c, x, p);
  if (type === 'mm7') return checkMm7Connector(c, x, p);
  if (type === 'telnyx' || type === 'twilio') return checkProviderConnector(c, x, p);
  return c.fail(
    `${p}.type`,
    `expected one of simulator, smpp, http, mm7, telnyx, twilio, got ${describe(type)}`,
  );
}

/** The built-in SMSC simulator with scripted outcomes (`type: simulator`). */
function checkSimulatorConnector(c: Checker, x: unknown, p: string): SimulatorConnectorConfig | undefined {
  const o = c.obj(x, p, [
    'id',
    'type',
    'latencyMs',
    'outcomes',
    'failPrefixes',
    'throttle',
    'errorRate',
    'receiptBeforeResponse',
    'split',
    'mms',
    'mmsMaxBytes',
  ]);
  if (!o) return;
  const id = c.str(o, 'id', p);
  const lat =
    o.latencyMs === undefined ? { min: 50, max: 500 } : c.obj(o.latencyMs, `${p}.latencyMs`, ['min', 'max']);
  const out =
    o.outcomes === undefined
      ? {}
      : (c.obj(o.outcomes, `${p}.outcomes`, ['delivered', 'undelivered', 'expired', 'rejected']) ?? {});
  const failPrefixes = c.list(o, 'failPrefixes', p).map(String);
  const mmsMaxBytes = mmsMaxBytesOf(c, o, p);
  if (mmsMaxBytes !== undefined && o.mms !== true)
    c.fail(
      `${p}.mmsMaxBytes`,
      'only a simulator with mms: true takes MMS (set mms: true, or remove mmsMaxBytes)',
    );
  if (!id || !lat) return;
  return {
    id,
    type: 'simulator',
    latencyMs: {
      min: c.num(lat as Obj, 'min', `${p}.latencyMs`, { def: 0, min: 0 }) ?? 0,
      max: c.num(lat as Obj, 'max', `${p}.latencyMs`, { def: 0, min: 0 }) ?? 0,
    },
    outcomes: {
      delivered:
        c.num(out, 'delivered', `${p}.outcomes`, {
          def: out.delivered === undefined && Object.keys(out).length === 0 ? 1 : 0,
          min: 0,
        }) ?? 1,
      undelivered: c.num(out, 'undelivered', `${p}.outcomes`, { def: 0, min: 0 }) ?? 0,
      expired: c.num(out, 'expired', `${p}.outcomes`, { def: 0, min: 0 }) ?? 0,
      rejected: c.num(out, 'rejected', `${p}.outcomes`, { def: 0, min: 0 }) ?? 0,
    },
    failPrefixes,
    throttle: o.throttle === undefined ? undefined : c.num(o, 'throttle', p, { min: 1, int: true }),
    errorRate: o.errorRate === undefined ? undefined : c.num(o, 'errorRate', p, { min: 0, max: 1 }),
    receiptBeforeResponse: c.bool(o, 'receiptBeforeResponse', p, false),
    split: c.oneOf(o, 'split', p, SPLIT_SETTINGS, 'udh') ?? 'udh',
    mms: c.bool(o, 'mms', p, false),
    ...(mmsMaxBytes !== undefined ? { mmsMaxBytes } : {}),
  };
}

/** An upstream SMSC over SMPP (`type: smpp`). */
function checkSmppConnector(c: Checker, x: unknown, p: string): SmppConnectorConfig | undefined {
  const o = c.obj(x, p, [
    'id',
    'type',
    'host',
    'port',
    'tls',
    'systemId',
    'password',
    'systemType',
    'window',
    'throughput',
    'enquireLinkS',
    'responseTimeoutS',
    'split',
    'bindType',
    'sourceTon',
    'sourceNpi',
    'destTon',
    'destNpi',
    'reconnectDelayS',
    'dataCoding',
    'receiver',
    'dlrExpiryS',
    'dlrScope',
    'messageIdBase',
    'binds',
  ]);
  if (!o) return;
  const id = c.str(o, 'id', p);
  const reconnect = c.obj(o.reconnectDelayS ?? {}, `${p}.reconnectDelayS`, ['min', 'max']) ?? {};
  const rMin = c.num(reconnect, 'min', `${p}.reconnectDelayS`, { def: 0.5, min: 0.01 }) ?? 0.5;
  const rMax = c.num(reconnect, 'max', `${p}.reconnectDelayS`, { def: 30, min: 0.01 }) ?? 30;
  if (rMax < rMin) c.fail(`${p}.reconnectDelayS.max`, `must be at least reconnectDelayS.min (${rMin})`);
  // SMPP 3.4 §5.2.5/§5.2.6: TON 0–6, NPI 0–18 are the defined values.
  const ton = (k: string) => (o[k] === undefined ? undefined : c.num(o, k, p, { min: 0, max: 6, int: true }));
  const npi = (k: string) =>
    o[k] === undefined ? undefined : c.num(o, k, p, { min: 0, max: 18, int: true });
  const host = c.str(o, 'host', p);
  const port = c.num(o, 'port', p, { min: 1, max: 65535, int: true });
  const systemId = c.str(o, 'systemId', p);
  const password = o.password === undefined || o.password === '' ? '' : (c.str(o, 'password', p) ?? '');
  if (password.length > 8) c.fail(`${p}.password`, 'at most 8 characters (SMPP 3.4 password field)');
  if (!id || !host || port === undefined || !systemId) return;
  return {
    id,
    type: 'smpp',
    host,
    port,
    tls: clientTls(c, o.tls, `${p}.tls`),
    systemId,
    password,
    systemType: o.systemType === undefined ? '' : (c.str(o, 'systemType', p) ?? ''),
    window: c.num(o, 'window', p, { def: 10, min: 1, max: 1000, int: true }) ?? 10,
    throughput: o.throughput === undefined ? undefined : c.num(o, 'throughput', p, { min: 1 }),
    binds: c.num(o, 'binds', p, { def: 1, min: 1, max: 64, int: true }) ?? 1,
    enquireLinkS: c.num(o, 'enquireLinkS', p, { def: 30, min: 0 }) ?? 30,
    responseTimeoutS: c.num(o, 'responseTimeoutS', p, { def: 10, min: 1 }) ?? 10,
    split: c.oneOf(o, 'split', p, SPLIT_SETTINGS, 'udh') ?? 'udh',
    ...bindOf(c, o, p),
    sourceTon: ton('sourceTon'),
    sourceNpi: npi('sourceNpi'),
    destTon: ton('destTon'),
    destNpi: npi('destNpi'),
    reconnectDelayS: { min: rMin, max: rMax },
    dataCoding: textCoding(c, o, p),
    // Jasmin's dlr_expiry default: a day.
    dlrExpiryS: c.num(o, 'dlrExpiryS', p, { def: 86_400, min: 0 }) ?? 86_400,
    ...dlrScopeOf(c, o, p),
    ...messageIdBaseOf(c, o, p),
  };
}

/** `messageIdBase`, when given: `{ response, receipt }`, each `hex` or `dec`. */
function messageIdBaseOf(c: Checker, o: Obj, p: string): Pick<SmppConnectorConfig, 'messageIdBase'> {
  if (o.messageIdBase === undefined) return {};
  const b = c.obj(o.messageIdBase, `${p}.messageIdBase`, ['response', 'receipt']);
  if (!b) return {};
  const response = c.oneOf(b, 'response', `${p}.messageIdBase`, ['hex', 'dec'] as const);
  const receipt = c.oneOf(b, 'receipt', `${p}.messageIdBase`, ['hex', 'dec'] as const);
  return response && receipt ? { messageIdBase: { response, receipt } } : {};
}

/** `dlrScope`, when given: a name of at most 64 characters. */
function dlrScopeOf(c: Checker, o: Obj, p: string): { dlrScope?: string } {
  if (o.dlrScope === undefined) return {};
  const scope = c.str(o, 'dlrScope', p);
  if (scope !== undefined && scope.length > 64) c.fail(`${p}.dlrScope`, 'at most 64 characters');
  return scope === undefined ? {} : { dlrScope: scope };
}

/** A string → string mapping at `p.key` (HTTP params and headers). */
function strings(c: Checker, o: Obj, key: string, p: string): Record<string, string> {
  const m = o[key] === undefined ? {} : c.obj(o[key], `${p}.${key}`, Object.keys((o[key] as Obj) ?? {}));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
    else c.fail(`${p}.${key}.${k}`, `expected a string, got ${describe(v)}`);
  }
  return out;
}

function checkHttpConnector(c: Checker, x: unknown, p: string): HttpConnectorConfig | undefined {
  const o = c.obj(x, p, [
    'id',
    'type',
    'url',
    'method',
    'format',
    'params',
    'headers',
    'messageId',
    'window',
    'throughput',
    'timeoutS',
    'dlrExpiryS',
    'dlrScope',
    'dlr',
    'mo',
  ]);
  if (!o) return;
  const id = c.str(o, 'id', p);
  const url = c.str(o, 'url', p);
  if (url !== undefined && !isHttpUrl(url))
    c.fail(`${p}.url`, `expected an http:// or https:// URL, got ${describe(url)}`);
  const method = c.oneOf(o, 'method', p, ['GET', 'POST'] as const, 'POST') ?? 'POST';
  const format = c.oneOf(o, 'format', p, ['form', 'json'] as const, 'form') ?? 'form';
  if (o.format !== undefined && method === 'GET')
    c.fail(`${p}.format`, 'only POST has a body format (GET sends params in the query string)');
  const params = strings(c, o, 'params', p);
  const headers = strings(c, o, 'headers', p);
  const messageId = messageIdOf(c, o, p);
  const dlr = o.dlr === undefined ? undefined : httpDlrOf(c, o.dlr, `${p}.dlr`);
  const mo = o.mo === undefined ? undefined : httpMoOf(c, o.mo, `${p}.mo`);
  if (!id || !url || !messageId) return;
  return {
    id,
    type: 'http',
    url,
    method,
    format,
    params,
    headers,
    messageId,
    window: c.num(o, 'window', p, { def: 10, min: 1, max: 1000, int: true }) ?? 10,
    throughput: o.throughput === undefined ? undefined : c.num(o, 'throughput', p, { min: 0.1 }),
    timeoutS: c.num(o, 'timeoutS', p, { def: 10, min: 0.1 }) ?? 10,
    // Without callbacks no report can come: waiting a day for one would only delay `expired`.
    dlrExpiryS: c.num(o, 'dlrExpiryS', p, { def: 86_400, min: 0 }) ?? 86_400,
    ...dlrScopeOf(c, o, p),
    ...(dlr ? { dlr } : {}),
    ...(mo ? { mo } : {}),
  };
}

/** A provider URL (its `{placeholders}` read as plain text): http or https. */
function isHttpUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url.replace(/\{\w+\}/g, 'x')).protocol);
  } catch {
    return false; // not a URL at all: the caller reports it
  }
}

/** Where the provider's message id is in its answer: `{ json: path }` or `{ regex }` with a group. */
function messageIdOf(c: Checker, o: Obj, p: string): HttpConnectorConfig['messageId'] | undefined {
  const mi =
    o.messageId === undefined
      ? c.fail(
          `${p}.messageId`,
          'is required: where the id is in the answer, { json: data.id } or { regex: "id=(\\w+)" }',
        )
      : c.obj(o.messageId, `${p}.messageId`, ['json', 'regex']);
  if (!mi) return undefined;
  if ((mi.json === undefined) === (mi.regex === undefined)) {
    c.fail(
      `${p}.messageId`,
      'give exactly one of json (a dotted path in a JSON answer, e.g. data.id) or regex (its first group is the id)',
    );
    return undefined;
  }
  if (mi.json !== undefined) {
    const path = c.str(mi, 'json', `${p}.messageId`);
    return path ? { json: path } : undefined;
  }
  const re = c.str(mi, 'regex', `${p}.messageId`);
  if (re === undefined) return undefined;
  try {
    if (new RegExp(`${re}|`).exec('')!.length >= 2) return { regex: re };
    c.fail(`${p}.messageId.regex`, 'needs a capturing group: the id is its first group');
  } catch (err) {
    c.fail(`${p}.messageId.regex`, `not a valid regular expression: ${(err as Error).message}`);
  }
  return undefined;
}

/** A callback's shared token: its only credential, so at least 16 characters. */
function callbackToken(c: Checker, o: Obj, p: string): string | undefined {
  const token = c.str(o, 'token', p);
  if (token !== undefined && token.length < 16)
    c.fail(
      `${p}.token`,
      `at least 16 characters (it is the callback's only credential), got ${token.length}`,
    );
  return token;
}

/** `dlr:` of an HTTP connector: the delivery-report callback's token and field mapping. */
function httpDlrOf(c: Checker, x: unknown, p: string): HttpConnectorConfig['dlr'] {
  const d =
    c.obj(x, p, [
      'token',
      'idField',
      'statusField',
      'errField',
      'delivered',
      'undelivered',
      'expired',
      'rejected',
    ]) ?? {};
  const token = callbackToken(c, d, p);
  const list = (k: string) => c.list(d, k, p).map(String);
  const idField = c.str(d, 'idField', p, 'id');
  const statusField = c.str(d, 'statusField', p, 'status');
  const delivered = list('delivered');
  if (d.delivered === undefined)
    c.fail(`${p}.delivered`, 'is required: the provider status values that mean delivered');
  if (!(token && idField && statusField)) return undefined;
  return {
    token,
    idField,
    statusField,
    ...(d.errField !== undefined ? { errField: c.str(d, 'errField', p) ?? '' } : {}),
    delivered,
    undelivered: list('undelivered'),
    expired: list('expired'),
    rejected: list('rejected'),
  };
}

/** `mo:` of an HTTP connector: the inbound-message callback's token and field mapping. */
function httpMoOf(c: Checker, x: unknown, p: string): HttpConnectorConfig['mo'] {
  const m = c.obj(x, p, ['token', 'fromField', 'toField', 'textField']) ?? {};
  const token = callbackToken(c, m, p);
  const fromField = c.str(m, 'fromField', p, 'from');
  const toField = c.str(m, 'toField', p, 'to');
  const textField = c.str(m, 'textField', p, 'text');
  if (!(token && token.length >= 16 && fromField && toField && textField)) return undefined;
  return { token, fromField, toField, textField };
}
