// The packages as a user gets them (issue 20): `npm pack` both (the gateway's prepack builds
// the library's dist/ and its own), install @hermod/smpp from its tarball into an empty project
// (`npm install --offline`: it has no dependencies, so nothing is fetched), import its entry
// points, type-check against its declarations, and run docs/smpp-library.md's example as written
// against `hermod simulate` (run from the gateway tarball) and against the doc's own tiny SMSC.
//
// The gateway tarball is unpacked into the project rather than `npm install`ed: its dependency
// tree (Fastify, pg, better-sqlite3 compiled from source, ...) costs minutes to install. Its
// dependencies other than @hermod/smpp are linked from this clone's node_modules instead, so
// what runs is the tarball's dist/ and bin/ on the tarball's @hermod/smpp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** `npm pack --json`'s answer (robust to a lifecycle script printing before it). */
function packed(stdout: string): { filename: string; files: { path: string }[] } {
  const json = stdout.slice(stdout.search(/^\[/m));
  return (JSON.parse(json) as { filename: string; files: { path: string }[] }[])[0];
}

/** The ```js blocks of a markdown file, in order. */
function jsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** Bytes and files under a directory. */
function sizeOf(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) {
      const sub = sizeOf(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += s.size;
      files++;
    }
  }
  return { bytes, files };
}

/** Starts `args` and resolves with it and the first match of `ready` in its stdout. */
function startUntil(args: string[], cwd: string, ready: RegExp, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } });
  return new Promise<{ child: ChildProcess; match: RegExpMatchArray }>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: not ready\n${out}\n${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}\n${out}\n${err}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

test('packages: both tarballs pack; @hermod/smpp installs with no dependencies and runs the documented example', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hermod-pack-'));
  const children: ChildProcess[] = [];
  try {
    const gatewayPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
      workspaces: string[];
    };
    const smppPkg = JSON.parse(readFileSync(join(root, 'packages/smpp/package.json'), 'utf8')) as {
      name: string;
      version: string;
      scripts: Record<string, string>;
      dependencies?: Record<string, string>;
    };
    // The web console is a workspace too, private: built into web/dist, never published alone.
    assert.deepEqual(gatewayPkg.workspaces, ['packages/smpp', 'web']);
    assert.equal(
      (JSON.parse(readFileSync(join(root, 'web/package.json'), 'utf8')) as { private?: boolean }).private,
      true,
    );
    assert.equal(smppPkg.name, '@hermod/smpp');
    assert.equal(smppPkg.scripts.prepack, 'npm run build');
    assert.equal(smppPkg.dependencies, undefined, 'the library has no runtime dependencies');
    assert.equal(gatewayPkg.dependencies['@hermod/smpp'], `^${smppPkg.version}`, 'the gateway depends on it');

    // The gateway's prepack builds both dist/s; the library's own prepack (the same build) is
    // skipped to keep the test short.
    const gatewayTgz = packed(run(npm, ['pack', '--json', '--pack-destination', tmp], root));
    const smppTgz = packed(
      run(npm, ['pack', '--json', '--ignore-scripts', '-w', '@hermod/smpp', '--pack-destination', tmp], root),
    );

    const smppFiles = smppTgz.files.map((f) => f.path);
    for (const f of [
      'dist/smpp/index.js',
      'dist/smpp/index.d.ts',
      'dist/simulator/index.js',
      'dist/simulator/index.d.ts',
      'dist/lib/errors.js',
      'README.md',
      'CHANGELOG.md',
    ])
      assert.ok(smppFiles.includes(f), `@hermod/smpp ships ${f}`);
    assert.deepEqual(
      [...new Set(smppFiles.filter((f) => f.startsWith('dist/')).map((f) => f.split('/')[1]))].sort(),
      ['lib', 'simulator', 'smpp'],
      'the library ships smpp/, simulator/ and lib/ only',
    );
    const gatewayFiles = gatewayTgz.files.map((f) => f.path);
    for (const f of [
      'bin/hermod.js',
      'dist/main.js',
      'dist/smpp/index.js',
      'docs/smpp-library.md',
      'CHANGELOG.md',
    ])
      assert.ok(gatewayFiles.includes(f), `hermod ships ${f}`);
    assert.ok(!gatewayFiles.some((f) => f.startsWith('src/')), 'no TypeScript sources in the gateway');
    assert.ok(
      !gatewayFiles.some((f) => /^dist\/(smpp|simulator)\/.+\//.test(f)),
      'the gateway does not ship its own copy of the library',
    );

    // An empty project; the library from its tarball, with nothing but the cache to draw on.
    const app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run(npm, ['install', '--offline', '--no-audit', '--no-fund', join(tmp, smppTgz.filename)], app);
    const installed = readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.'));
    assert.deepEqual(installed, ['@hermod'], 'installing @hermod/smpp installs nothing else');

    // The README's size is measured: within 10% of what was just installed.
    const size = sizeOf(join(app, 'node_modules/@hermod/smpp'));
    const readme = readFileSync(join(root, 'packages/smpp/README.md'), 'utf8');
    const stated = readme.match(/Installed size: \*\*(\d+) kB\*\* \((\d+) files\)/);
    assert.ok(stated, 'packages/smpp/README.md states the installed size');
    const kB = size.bytes / 1000;
    assert.ok(
      Math.abs(Number(stated[1]) - kB) / kB < 0.1,
      `README says ${stated[1]} kB, installed is ${kB.toFixed(0)} kB (${size.files} files)`,
    );
    assert.match(readme, /\*\*0 runtime dependencies\*\*/);

    // The gateway tarball beside it, its other dependencies linked from this clone.
    const gw = join(app, 'node_modules/hermod');
    mkdirSync(gw);
    run('tar', ['-xzf', join(tmp, gatewayTgz.filename), '-C', gw, '--strip-components=1'], app);
    for (const dep of Object.keys(gatewayPkg.dependencies).filter((d) => d !== '@hermod/smpp')) {
      const at = join(app, 'node_modules', dep);
      mkdirSync(join(at, '..'), { recursive: true });
      symlinkSync(join(root, 'node_modules', dep), at);
    }

    // Every entry point imports; the gateway's re-exports are the library's own objects.
    const probe = `
      import * as smpp from '@hermod/smpp';
      import * as sim from '@hermod/smpp/simulator';
      import * as errors from '@hermod/smpp/errors';
      import * as gwSmpp from 'hermod/smpp';
      import * as gwSim from 'hermod/simulator';
      import * as gw from 'hermod';
      const same = gwSmpp.SmppClient === smpp.SmppClient && gw.SmppServer === smpp.SmppServer
        && gwSim.SmscSimulator === sim.SmscSimulator;
      const typed = new smpp.SmppStatusError('submit_sm', 8) instanceof errors.HermodError;
      console.log(JSON.stringify({ same, typed, client: typeof smpp.SmppClient, simulator: typeof sim.SmscSimulator }));`;
    const probed = JSON.parse(run(process.execPath, ['--input-type=module', '-e', probe], app)) as unknown;
    assert.deepEqual(probed, { same: true, typed: true, client: 'function', simulator: 'function' });

    // The declarations type-check a TypeScript user's code.
    writeFileSync(
      join(app, 'use.ts'),
      `import { SmppClient, countSegments, type Receipt } from '@hermod/smpp';
       import { SmscSimulator } from '@hermod/smpp/simulator';
       const c: SmppClient = new SmppClient({ host: 'h', port: 1, systemId: 's' });
       const n: number = countSegments('hello').segments;
       const r: Receipt | undefined = undefined;
       export { c, n, r, SmscSimulator };`,
    );
    run(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--types',
        'node',
        '--typeRoots',
        join(root, 'node_modules/@types'),
        'use.ts',
      ],
      app,
    );

    // docs/smpp-library.md's two blocks, as written.
    const [send, smsc] = jsBlocks(readFileSync(join(root, 'docs/smpp-library.md'), 'utf8'));
    assert.match(send, /new SmppClient/);
    assert.match(smsc, /new SmppServer/);
    writeFileSync(join(app, 'send.mjs'), send);
    writeFileSync(join(app, 'smsc.mjs'), smsc);

    // 1. Against `hermod simulate`, run from the gateway tarball.
    const simulate = await startUntil(
      [join(gw, 'bin/hermod.js'), 'simulate', '--port', '0'],
      app,
      /listening on [\d.]+:(\d+)/,
    );
    children.push(simulate.child);
    const out1 = run(process.execPath, ['send.mjs'], app, { SMSC_PORT: simulate.match[1] });
    assert.match(out1, /^accepted: \S+\nreceipt: DELIVRD\n$/);

    // 2. Against the doc's tiny SMSC.
    const tiny = await startUntil(['smsc.mjs'], app, /SMSC listening on port (\d+)/, { SMSC_PORT: '0' });
    children.push(tiny.child);
    const out2 = run(process.execPath, ['send.mjs'], app, { SMSC_PORT: tiny.match[1] });
    assert.equal(out2, 'accepted: 1\nreceipt: DELIVRD\n');
    assert.equal(await stop(tiny.child), 0, 'the tiny SMSC stops on SIGTERM');
  } finally {
    await Promise.all(children.map(stop));
    rmSync(tmp, { recursive: true, force: true });
  }
});
