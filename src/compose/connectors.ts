/**
 * A connector definition (one entry of `connectors:`, or the admin API's) → the running
 * connector: seconds become milliseconds, and each type gets its own options.
 */
import { readFileSync } from 'node:fs';
import {
  HttpConnector,
  Mm7Connector,
  SimulatorConnector,
  SmppConnector,
  TelnyxConnector,
  TwilioConnector,
} from '../connectors/index.js';
import {
  ClusterBoundConnector,
  type BindCluster,
  type Connector,
  type MediaLibrary,
} from '../gateway/index.js';
import { CommandStatus } from '../smpp/index.js';
import type { ConnectorConfig } from '../config/index.js';

/** What connectors may need besides their definition (MMS connectors: the media library). */
export interface ConnectorDeps {
  media?: MediaLibrary | undefined;
  /**
   * Provider connectors' `hookBaseUrl` when their definition has none: the configuration's
   * `media.publicUrl`, the same public origin of the REST port (docs/providers.md).
   */
  hookBaseUrl?: string | undefined;
  /**
   * The node's cluster membership: an SMPP connector's binds become cluster leases (one node
   * per bind slot, the throughput shared by the nodes holding them). Absent: it binds here.
   */
  cluster?: BindCluster | undefined;
}

export function buildConnector(c: ConnectorConfig, deps: ConnectorDeps = {}): Connector {
  if (c.type === 'simulator') {
    return new SimulatorConnector(c.id, {
      latencyMs: c.latencyMs,
      outcomes: c.outcomes,
      throttle: c.throttle,
      scripts: c.failPrefixes.map((prefix) => ({ prefix, status: CommandStatus.ESME_RINVDSTADR })),
      errors: c.errorRate ? [{ status: CommandStatus.ESME_RMSGQFUL, rate: c.errorRate }] : [],
      receiptBeforeResponse: c.receiptBeforeResponse,
      split: c.split,
      mms: c.mms,
      ...(c.mms ? { mmsMaxBytes: c.mmsMaxBytes ?? deps.media?.maxMessageBytes } : {}),
    });
  }
  if (c.type === 'http') {
    // The definition is the connector's options with its timeouts in seconds.
    const { id, type: _type, timeoutS, dlrExpiryS, dlrScope: _scope, ...options } = c;
    return new HttpConnector(id, { ...options, timeoutMs: timeoutS * 1000, dlrExpiryMs: dlrExpiryS * 1000 });
  }
  if (c.type === 'mm7') {
    const { id, type: _type, timeoutS, dlrExpiryS, dlrScope: _scope, ...options } = c;
    return new Mm7Connector(
      id,
      {
        ...options,
        timeoutMs: timeoutS * 1000,
        dlrExpiryMs: dlrExpiryS * 1000,
        mmsMaxBytes: c.mmsMaxBytes ?? deps.media?.maxMessageBytes,
      },
      { media: deps.media },
    );
  }
  if (c.type === 'telnyx') {
    const { id, type: _type, timeoutS: _t, dlrExpiryS: _d, dlrScope: _scope, ...options } = c;
    return new TelnyxConnector(id, { ...options, ...providerCommon(c, deps) });
  }
  if (c.type === 'twilio') {
    const { id, type: _type, timeoutS: _t, dlrExpiryS: _d, dlrScope: _scope, ...options } = c;
    return new TwilioConnector(id, { ...options, ...providerCommon(c, deps) });
  }
  if (!deps.cluster) return smppConnector(c);
  return new ClusterBoundConnector(c.id, {
    cluster: deps.cluster,
    slots: c.binds,
    throughput: c.throughput,
    make: () => smppConnector(c),
  });
}

function smppConnector(c: Extract<ConnectorConfig, { type: 'smpp' }>): SmppConnector {
  return new SmppConnector(c.id, {
    host: c.host,
    port: c.port,
    tls:
      typeof c.tls === 'boolean'
        ? c.tls
        : {
            ...(c.tls.ca ? { ca: readFileSync(c.tls.ca) } : {}),
            ...(c.tls.servername ? { servername: c.tls.servername } : {}),
            ...(c.tls.insecure ? { rejectUnauthorized: false } : {}),
          },
    systemId: c.systemId,
    password: c.password,
    systemType: c.systemType,
    windowSize: c.window,
    throughput: c.throughput,
    enquireLinkMs: c.enquireLinkS * 1000,
    responseTimeoutMs: c.responseTimeoutS * 1000,
    bindType: c.bindType,
    ...(c.receiver ? { receiver: c.receiver } : {}),
    reconnect: {
      initialMs: c.reconnectDelayS.min * 1000,
      maxMs: c.reconnectDelayS.max * 1000,
      factor: 2,
      jitter: 0.5,
    },
    split: c.split,
    dataCoding: c.dataCoding,
    dlrExpiryMs: c.dlrExpiryS * 1000,
    addressing: { sourceTon: c.sourceTon, sourceNpi: c.sourceNpi, destTon: c.destTon, destNpi: c.destNpi },
  });
}

/**
 * A provider connector's timeouts in milliseconds, the media library it signs URLs with, and
 * its hook base URL (its own, else the deps' default: `media.publicUrl`).
 */
function providerCommon(
  c: { timeoutS: number; dlrExpiryS: number; hookBaseUrl?: string | undefined; mmsMaxBytes?: number },
  deps: ConnectorDeps,
) {
  const hookBaseUrl = c.hookBaseUrl ?? deps.hookBaseUrl;
  return {
    mmsMaxBytes: c.mmsMaxBytes ?? deps.media?.maxMessageBytes,
    timeoutMs: c.timeoutS * 1000,
    dlrExpiryMs: c.dlrExpiryS * 1000,
    media: deps.media,
    ...(hookBaseUrl === undefined ? {} : { hookBaseUrl }),
  };
}
