/** `hermod connectors`: live status and runtime definitions (GET/PUT/DELETE /v1/admin/connectors). */
import { say } from '../io.js';
import { Command } from 'commander';
import {
  AdminClient,
  CliError,
  apiCommand,
  printJson,
  printRecord,
  printTable,
  type ApiOptions,
} from '../admin-client.js';
import { type Obj, readDefinition } from './shared.js';

/** A number given as a flag; left as text when it is not one, so the server names the key. */
const numberish = (v: string): number | string =>
  v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;

interface ConnectorRow extends Obj {
  id: string;
  window: { inUse: number; size: number };
  throughput: { perSecond: number; limit: number | null };
  counters: Record<string, number>;
}

const connectorRow = (c: ConnectorRow) => ({
  id: c.id,
  type: c.type,
  state: c.state,
  window: `${c.window.inUse}/${c.window.size}`,
  'msg/s': c.throughput.perSecond.toFixed(1),
  queue: c.queueDepth,
  submits: c.counters.submits,
  errors: c.counters.errors,
  receipts: c.counters.receipts,
  remote: c.remote,
});

/** The flags of `hermod connectors set`. */
interface ConnectorSetFlags {
  file?: string;
  type?: string;
  host?: string;
  port?: number | string;
  systemId?: string;
  password?: string;
  systemType?: string;
  window?: number | string;
  throughput?: number | string;
  tls?: boolean;
  endpoint?: string;
}

/** `hermod connectors set`: PUT /connectors/{id} with the definition of --file, flags over it. */
export function connectorSetCommand(): Command {
  return apiCommand(
    'set',
    'create or replace a connector at runtime (kept in the store: it wins over the file at restart)',
  )
    .argument('<id>', 'connector id')
    .option('--file <file>', 'the definition: one entry of `connectors:` in hermod.yaml, as YAML or JSON')
    .option('--type <type>', 'smpp, simulator, http or mm7 (mm7 and http: give the rest with --file)')
    .option(
      '--endpoint <url>',
      "http: the provider's endpoint; mm7: the MMSC's MM7 URL (their url key); the rest comes from --file",
    )
    .option('--host <host>', 'smpp: the SMSC host')
    .option('--port <port>', 'smpp: the SMSC port', numberish)
    .option('--system-id <id>', 'smpp: bind system_id')
    .option('--password <password>', 'smpp: bind password (left out when replacing: the stored one is kept)')
    .option('--system-type <type>', 'smpp: bind system_type')
    .option('--window <n>', 'smpp: submits in flight', numberish)
    .option('--throughput <n>', 'smpp: submits per second at most', numberish)
    .option('--tls', 'smpp: connect with TLS')
    .addHelpText(
      'after',
      '\nFlags override the same keys of --file. Example:\n  hermod connectors set up --type smpp --host smsc.example --port 2775 --system-id hermod --password s3cret',
    )
    .action(async (id: string, o: ApiOptions & ConnectorSetFlags) => {
      const fromFile = o.file === undefined ? {} : readDefinition(o.file);
      if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))
        throw new CliError(
          `${o.file}: expected a mapping (one connector), got ${Array.isArray(fromFile) ? 'a list' : typeof fromFile}`,
          2,
        );
      const flags = {
        type: o.type,
        url: o.endpoint,
        host: o.host,
        port: o.port,
        systemId: o.systemId,
        password: o.password,
        systemType: o.systemType,
        window: o.window,
        throughput: o.throughput,
        tls: o.tls,
      };
      const body = {
        ...(fromFile as Obj),
        ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
      };
      const r = await new AdminClient(o).send<ConnectorRow>(
        'PUT',
        `/connectors/${encodeURIComponent(id)}`,
        body,
      );
      if (o.json) return printJson(r.body);
      say(`${id}: ${r.status === 201 ? 'created' : 'replaced'} (${String(r.body.state)})`);
    });
}

export function connectorsCommand(): Command {
  const cmd = new Command('connectors').description(
    'upstream connectors: live status, add, change, remove, start and stop at runtime',
  );
  cmd.addCommand(
    apiCommand(
      'list',
      'connectors with bind state, window in use, throughput, counters and queue depth',
    ).action(async (o: ApiOptions) => {
      const r = await new AdminClient(o).get<{ connectors: ConnectorRow[] }>('/connectors');
      if (o.json) return printJson(r);
      printTable(r.connectors.map(connectorRow), [
        'id',
        'type',
        'state',
        'window',
        'msg/s',
        'queue',
        'submits',
        'errors',
        'receipts',
        'remote',
      ]);
    }),
  );
  cmd.addCommand(
    apiCommand('show', 'one connector: live status and the definition it runs with (never its password)')
      .argument('<id>', 'connector id')
      .action(async (id: string, o: ApiOptions) => {
        const c = await new AdminClient(o).get<ConnectorRow>(`/connectors/${encodeURIComponent(id)}`);
        if (o.json) return printJson(c);
        printRecord(c);
      }),
  );
  cmd.addCommand(connectorSetCommand());
  cmd.addCommand(
    apiCommand(
      'remove',
      'remove a connector for good (refused while a route names it or messages are queued for it)',
    )
      .argument('<id>', 'connector id')
      .action(async (id: string, o: ApiOptions) => {
        await new AdminClient(o).request('DELETE', `/connectors/${encodeURIComponent(id)}`);
        if (o.json) return printJson({ id, removed: true });
        say(`${id}: removed`);
      }),
  );
  for (const verb of ['start', 'stop'] as const) {
    cmd.addCommand(
      apiCommand(
        verb,
        verb === 'start'
          ? 'bind a stopped connector again'
          : 'unbind a connector (its queue is kept; routes prefer others meanwhile)',
      )
        .argument('<id>', 'connector id')
        .action(async (id: string, o: ApiOptions) => {
          const c = await new AdminClient(o).request<ConnectorRow>(
            'POST',
            `/connectors/${encodeURIComponent(id)}/${verb}`,
          );
          if (o.json) return printJson(c);
          say(`${id}: ${String(c.state)}`);
        }),
    );
  }
  return cmd;
}
