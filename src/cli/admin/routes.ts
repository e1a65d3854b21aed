/** `hermod routes`: the MT and MO route tables and `routes test` (/v1/admin/routes, /mo-routes). */
import { say, setExitCode } from '../io.js';
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
import { type Obj, qs, readDefinition } from './shared.js';

/** A route list file's list: the document itself, or its `key` (a hermod.yaml works). */
const listIn = (doc: unknown, key: string): unknown =>
  Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null ? (doc as Obj)[key] : undefined;

type MtRoutes = { routes: (Obj & { prefixes: string[]; connectors: string[] })[] };

function printMtRoutes(o: ApiOptions, r: MtRoutes, verb?: 'set'): void {
  if (o.json) return printJson(r);
  if (verb) say(`${r.routes.length} route${r.routes.length === 1 ? '' : 's'} set:`);
  printTable(
    r.routes.map((x) => ({
      ...x,
      prefixes: x.prefixes.length ? x.prefixes.join(',') : '(any)',
      connectors: x.connectors.join(','),
    })),
    ['position', 'name', 'type', 'prefixes', 'connectors', 'rate'],
  );
}

type MoRoutes = {
  moRoutes: (Obj & {
    position: number;
    prefixes?: string[];
    originConnectors?: string[];
    user?: string;
    url?: string;
  })[];
  source: string | null;
};

function printMoRoutes(o: ApiOptions, r: MoRoutes, verb?: 'set'): void {
  if (o.json) return printJson(r);
  if (verb) say(`${r.moRoutes.length} MO route${r.moRoutes.length === 1 ? '' : 's'} set:`);
  printTable(
    r.moRoutes.map((x) => ({
      ...x,
      prefixes: x.prefixes?.length ? x.prefixes.join(',') : '(any)',
      origin: x.originConnectors?.join(',') ?? '(any)',
      target: x.user !== undefined ? `user ${x.user}` : `${String(x.method ?? 'POST')} ${x.url ?? ''}`,
    })),
    ['position', 'name', 'prefixes', 'origin', 'target'],
  );
}

export function routesCommand(): Command {
  const cmd = new Command('routes').description(
    'MT routes: the ordered table, replace it, and "test a number"; MO routes with --mo',
  );
  cmd.addCommand(
    apiCommand('list', 'routes in order (first match wins)')
      .option('--mo', 'the MO routes (replies and inbound messages) instead')
      .action(async (o: ApiOptions & { mo?: boolean }) => {
        if (o.mo) return printMoRoutes(o, await new AdminClient(o).get<MoRoutes>('/mo-routes'));
        printMtRoutes(o, await new AdminClient(o).get<MtRoutes>('/routes'));
      }),
  );
  cmd.addCommand(
    apiCommand(
      'set',
      'replace the whole ordered route list at runtime (kept in the store: it wins over the file at restart)',
    )
      .requiredOption(
        '--file <file>',
        'the routes as YAML or JSON: a list, or a mapping with `routes:` (as in hermod.yaml)',
      )
      .option('--mo', 'set the MO routes instead (a list, or a mapping with `moRoutes:`)')
      .action(async (o: ApiOptions & { file: string; mo?: boolean }) => {
        const doc = readDefinition(o.file);
        if (o.mo) {
          const moRoutes = listIn(doc, 'moRoutes');
          if (moRoutes === undefined)
            throw new CliError(`${o.file}: expected a list of MO routes or a mapping with moRoutes:`, 2);
          return printMoRoutes(
            o,
            await new AdminClient(o).request<MoRoutes>('PUT', '/mo-routes', { moRoutes }),
            'set',
          );
        }
        const routes = listIn(doc, 'routes');
        if (routes === undefined)
          throw new CliError(`${o.file}: expected a list of routes or a mapping with routes:`, 2);
        printMtRoutes(o, await new AdminClient(o).request<MtRoutes>('PUT', '/routes', { routes }), 'set');
      }),
  );
  cmd.addCommand(
    apiCommand('test', 'which route, connectors and price a number gets')
      .argument('<number>', 'destination number')
      .option('--user <username>', 'route and price as this user would send it')
      .option('--from <sender>', 'source address (routes may filter on it)')
      .option('--text <text>', 'message text (content filters; parts and total price)')
      .action(async (number: string, o: ApiOptions & { user?: string; from?: string; text?: string }) => {
        const r = await new AdminClient(o).get<{
          to: string;
          routable: boolean;
          reason: string | null;
          route: Obj | null;
          connectors: { id: string; ready: boolean }[];
          price: string | null;
          priceSource: string | null;
          parts: number | null;
          total: string | null;
        }>(`/routes/test${qs({ to: number, user: o.user, from: o.from, text: o.text })}`);
        if (o.json) return printJson(r);
        if (!r.routable) {
          say(`${r.to}: ${r.reason ?? 'no route'}`);
          setExitCode(3);
          return;
        }
        printRecord({
          to: r.to,
          route: r.route
            ? `${String(r.route.name)} (#${String(r.route.position)}, ${String(r.route.type)})`
            : '(default: first connector)',
          connectors: r.connectors.map((c) => `${c.id}${c.ready ? '' : ' (down)'}`).join(', '),
          price:
            r.price === null
              ? '(the user’s rate: give --user)'
              : `${r.price} per part (${String(r.priceSource)})`,
          ...(r.parts !== null ? { parts: r.parts, total: r.total } : {}),
        });
      }),
  );
  return cmd;
}
