/**
 * The dependency rules of ARCHITECTURE.md, checked on the sources: each layer of functions/ imports only the
 * layers below it, function folders import no other function folder, no folder cycle anywhere, the model
 * imports nothing outside itself, and nothing in functions/ reaches into local/, test/, tools/ or infra/.
 */
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_ENTRIES } from '../../functions/routes.ts';
import { cyclesOf, type Import, importsUnder } from './imports.ts';

/** Shared layers, lowest first, with the layers each may import (its own is always allowed). */
const LAYERS: Record<string, readonly string[]> = {
  model: [],
  observability: [],
  'routes.ts': [],
  ports: ['model', 'observability'],
  config: ['model', 'observability'],
  operations: ['model', 'ports', 'observability', 'config'],
  adapters: ['model', 'ports', 'observability', 'config'],
  http: ['model', 'ports', 'observability', 'config', 'operations'],
  runtime: ['model', 'ports', 'observability', 'config', 'operations', 'adapters', 'http'],
};

/** The function folders: one per Lambda, on top of every shared layer. */
const FUNCTION_FOLDERS = Object.values(FUNCTION_ENTRIES).map((entry) => entry.split('/')[1] as string);
const ALL_SHARED = Object.keys(LAYERS);

const layerOf = (path: string): string => path.split('/')[1] ?? path;

const functionImports = importsUnder('functions');
const internal = functionImports.filter((i) => i.relative);

const violations = (rule: (i: Import) => boolean): string[] =>
  internal.filter(rule).map((i) => `${i.from} -> ${i.to}`);

describe('the layers of functions/ (ARCHITECTURE.md)', () => {
  it('every folder and top-level file of functions/ is a known layer or a function', () => {
    const known = new Set([...ALL_SHARED, ...FUNCTION_FOLDERS]);
    const unknown = [...new Set(functionImports.map((i) => layerOf(i.from)))].filter((l) => !known.has(l));
    expect(unknown).toEqual([]);
  });

  it('each shared layer imports only the layers below it', () => {
    expect(
      violations((i) => {
        const from = layerOf(i.from);
        const to = layerOf(i.to);
        const allowed = LAYERS[from];
        return allowed !== undefined && from !== to && !allowed.includes(to);
      }),
    ).toEqual([]);
  });

  it('a function folder imports shared layers only, never another function', () => {
    expect(
      violations((i) => {
        const from = layerOf(i.from);
        const to = layerOf(i.to);
        return FUNCTION_FOLDERS.includes(from) && from !== to && !ALL_SHARED.includes(to);
      }),
    ).toEqual([]);
  });

  it('nothing in functions/ imports local/, test/, tools/, infra/ or bench/', () => {
    expect(violations((i) => !i.to.startsWith('functions/'))).toEqual([]);
  });

  it('the model imports nothing outside itself but the platform (node:)', () => {
    const outside = functionImports.filter(
      (i) =>
        layerOf(i.from) === 'model' && (i.relative ? layerOf(i.to) !== 'model' : !i.to.startsWith('node:')),
    );
    expect(outside.map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
  });

  it('no folder cycle, at any depth, in functions/, local/ and tools/', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of [...internal, ...importsUnder('local'), ...importsUnder('tools')]) {
      if (!i.relative) continue;
      const from = dirname(i.from);
      const to = dirname(i.to);
      if (!edges.has(from)) edges.set(from, new Set());
      if (from !== to) edges.get(from)?.add(to);
    }
    expect(cyclesOf(edges)).toEqual([]);
  });

  it('no file cycle either: no two files import each other, even through others', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of [...internal, ...importsUnder('local'), ...importsUnder('tools')]) {
      if (!i.relative) continue;
      if (!edges.has(i.from)) edges.set(i.from, new Set());
      edges.get(i.from)?.add(i.to);
    }
    expect(cyclesOf(edges)).toEqual([]);
  });

  it('the cycle check finds a cycle when there is one', () => {
    const edges = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cyclesOf(edges)).toEqual([['a', 'b', 'c']]);
  });
});
