import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeDerivedSeries,
  describeCycle,
  evaluate,
  findCycle,
  formatFormula,
  MAX_FORMULA_DEPTH,
  MAX_FORMULA_LENGTH,
  parseFormula,
  referencedKeys,
  type BinaryOperator,
  type FormulaNode,
} from './formula.ts';

function parsed(text: string): FormulaNode {
  const result = parseFormula(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse, got: ${result.message}`);
  return result.ast;
}

function errorOf(text: string, knownKeys?: string[]): string {
  const result = parseFormula(text, knownKeys ? { knownKeys: new Set(knownKeys) } : {});
  return result.ok ? 'parsed without error' : result.message;
}

function valueOf(text: string, values: Record<string, number> = {}): number | null {
  return evaluate(parsed(text), new Map(Object.entries(values)));
}

const num = (value: number): FormulaNode => ({ kind: 'number', value });
const ref = (key: string): FormulaNode => ({ kind: 'ref', key });
const bin = (operator: BinaryOperator, left: FormulaNode, right: FormulaNode): FormulaNode => ({
  kind: 'binary',
  operator,
  left,
  right,
});

const KEY_RULE = ': keys are lowercase letters, digits and underscores, starting with a letter';

describe('parseFormula', () => {
  it('parses the digital take-up formula into a tree', () => {
    expect(parsed('100 * {digital_transactions} / {all_transactions}')).toEqual(
      bin('/', bin('*', num(100), ref('digital_transactions')), ref('all_transactions')),
    );
  });

  it.each<[string, number]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['64 / 4 / 2', 8],
    ['-2 * 3', -6],
    ['2 * -3', -6],
    ['--2', 2],
    ['2 - -3', 5],
    ['-(2 + 3)', -5],
    ['2 − 3', -1],
    ['6 × 7', 42],
    ['7 ÷ 2', 3.5],
    ['−2 × (3 − 5) ÷ 4', 1],
    ['.5 + 1.25', 1.75],
    ['1.5e3', 1500],
    ['\t( 1\n+ 2 )  ', 3],
    ['((((7))))', 7],
  ])('evaluates %s to %s', (text, value) => {
    expect(valueOf(text)).toBe(value);
  });

  it('reads references, with spaces inside the braces allowed', () => {
    expect(parsed('{ a } + {b_2}')).toEqual(bin('+', ref('a'), ref('b_2')));
  });

  it.each<[string, string]>([
    ['', 'Empty formula'],
    ['   ', 'Empty formula'],
    ['100 * {ab} )', 'Unexpected ")" at character 12'],
    ['(1 + 2))', 'Unexpected ")" at character 8'],
    ['1 +', 'Unexpected end of formula at character 4: expected a number, a {kpi_key} or "("'],
    ['(1 + 2', 'Missing ")" to close the "(" at character 1'],
    ['2 * ({a} + (3)', 'Missing ")" to close the "(" at character 5'],
    ['{a + 1', 'Missing "}" to close the "{" at character 1'],
    ['1 + {Foo}', '"{Foo}" at character 5 is not a KPI key' + KEY_RULE],
    ['{1a}', '"{1a}" at character 1 is not a KPI key' + KEY_RULE],
    ['{}', '"{}" at character 1 is not a KPI key' + KEY_RULE],
    ['1,000 * 2', 'Unexpected "," at character 2: write numbers without thousands separators'],
    ['2 (3)', 'Unexpected "(" at character 3'],
    ['2 {a}', 'Unexpected "{a}" at character 3'],
    ['2 3', 'Unexpected number 3 at character 3'],
    ['2 ^ 3', 'Unexpected "^" at character 3'],
    ['+1', 'Unexpected "+" at character 1'],
    ['* 2', 'Unexpected "*" at character 1'],
    ['()', 'Unexpected ")" at character 2'],
    ['1e999', 'Number "1e999" at character 1 is too large'],
    ['😀 + 1', 'Unexpected "😀" at character 1'],
    ['eval(1)', 'Unexpected "e" at character 1'],
  ])('refuses %j: %s', (text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('gives the position of the error', () => {
    expect(parseFormula('100 * {ab} )')).toEqual({
      ok: false,
      message: 'Unexpected ")" at character 12',
      position: 12,
    });
    expect(parseFormula('')).toEqual({ ok: false, message: 'Empty formula', position: null });
  });

  it('refuses unknown KPIs when the known keys are given', () => {
    expect(errorOf('{digital} / {foo}', ['digital', 'all'])).toBe('Unknown KPI "{foo}" at character 13');
    expect(errorOf('{digital} / {all}', ['digital', 'all'])).toBe('parsed without error');
  });

  it('refuses formulas too long or nested too deeply to be real', () => {
    expect(errorOf('1+'.repeat(MAX_FORMULA_LENGTH) + '1')).toContain('Formula is too long');
    const deep = '('.repeat(MAX_FORMULA_DEPTH + 1) + '1' + ')'.repeat(MAX_FORMULA_DEPTH + 1);
    expect(errorOf(deep)).toContain('Formula is nested too deeply');
    expect(errorOf('-'.repeat(MAX_FORMULA_DEPTH + 1) + '1')).toContain('Formula is nested too deeply');
    const allowed = '('.repeat(MAX_FORMULA_DEPTH) + '1' + ')'.repeat(MAX_FORMULA_DEPTH);
    expect(errorOf(allowed)).toBe('parsed without error');
  });
});

describe('referencedKeys', () => {
  it('lists each key once, in order of appearance', () => {
    expect(referencedKeys(parsed('{b} + {a} * {b} - -{c}'))).toEqual(['b', 'a', 'c']);
    expect(referencedKeys(parsed('1 + 2'))).toEqual([]);
  });
});

describe('evaluate', () => {
  it('computes with the given values', () => {
    expect(valueOf('100 * {digital} / {all}', { digital: 30, all: 120 })).toBe(25);
  });

  it('has no value when an input is missing or not a number', () => {
    expect(valueOf('{a} + {b}', { a: 1 })).toBeNull();
    expect(valueOf('{a} + 1', { a: Number.NaN })).toBeNull();
  });

  it('has no value on division by zero', () => {
    expect(valueOf('{a} / {b}', { a: 1, b: 0 })).toBeNull();
    expect(valueOf('{a} / ({b} - {b})', { a: 1, b: 7 })).toBeNull();
    expect(valueOf('0 / 0')).toBeNull();
    expect(valueOf('1 / (1 / 0)')).toBeNull();
    expect(valueOf('0 / 5')).toBe(0);
  });

  it('has no value when the result overflows', () => {
    expect(valueOf('{a} * {a}', { a: 1e200 })).toBeNull();
    expect(valueOf('{a} * {a} / {a}', { a: 1e200 })).toBeNull();
  });
});

describe('formatFormula', () => {
  it.each<[string, string]>([
    ['100*{a}/{b}', '100 * {a} / {b}'],
    ['1 - (2 - 3)', '1 - (2 - 3)'],
    ['(1 - 2) - 3', '1 - 2 - 3'],
    ['(1 * 2) + (3 / 4)', '1 * 2 + 3 / 4'],
    ['(1 + 2) * (3 - 4)', '(1 + 2) * (3 - 4)'],
    ['8 / (4 * 2)', '8 / (4 * 2)'],
    ['-(1 + 2)', '-(1 + 2)'],
    ['--2', '-(-2)'],
    ['6 × 7 ÷ −{a}', '6 * 7 / -{a}'],
  ])('writes %s as %s', (text, canonical) => {
    expect(formatFormula(parsed(text))).toBe(canonical);
  });
});

describe('findCycle', () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

  it('finds a two-step cycle and describes it', () => {
    const cycle = findCycle(graph({ a: ['b'], b: ['a'] }));
    expect(cycle).toEqual(['a', 'b', 'a']);
    expect(describeCycle(cycle ?? [])).toBe('Circular reference: a → b → a');
  });

  it('finds a KPI that refers to itself', () => {
    expect(findCycle(graph({ a: ['x', 'a'] }))).toEqual(['a', 'a']);
  });

  it('returns only the cycle, not the path that led to it', () => {
    expect(findCycle(graph({ a: ['b'], b: ['c'], c: ['d'], d: ['b'] }))).toEqual(['b', 'c', 'd', 'b']);
  });

  it('finds no cycle where two paths meet (a diamond) or keys are measured', () => {
    expect(findCycle(graph({ a: ['b', 'c'], b: ['d'], c: ['d'], d: ['measured'] }))).toBeNull();
    expect(findCycle(graph({}))).toBeNull();
  });

  it('handles long chains without running out of stack', () => {
    const chain = new Map(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, [`k${i + 1}`]] as const));
    expect(findCycle(chain)).toBeNull();
    chain.set('k100000', ['k0']);
    expect(findCycle(chain)?.length).toBe(100_002);
  });

  it('reports a real cycle if and only if the graph has one', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const anyGraph = fc.dictionary(
      fc.constantFrom(...keys),
      fc.uniqueArray(fc.constantFrom(...keys, 'measured'), { maxLength: 4 }),
    );
    fc.assert(
      fc.property(anyGraph, (edges) => {
        const g = graph(edges);
        const cycle = findCycle(g);
        if (cycle) {
          expect(cycle[0]).toBe(cycle.at(-1));
          cycle.slice(1).forEach((to, i) => {
            expect(g.get(cycle[i] ?? '')).toContain(to);
          });
        } else {
          expect(isAcyclicByKahn(g)).toBe(true);
        }
      }),
    );
  });
});

/** Kahn's algorithm, independent of findCycle: a graph is acyclic if every node can be peeled off. */
function isAcyclicByKahn(graph: ReadonlyMap<string, readonly string[]>): boolean {
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flat()]);
  const inDegree = new Map([...nodes].map((node) => [node, 0]));
  for (const targets of graph.values())
    for (const to of targets) inDegree.set(to, (inDegree.get(to) ?? 0) + 1);
  const ready = [...nodes].filter((node) => inDegree.get(node) === 0);
  let removed = 0;
  for (let node = ready.pop(); node !== undefined; node = ready.pop()) {
    removed += 1;
    for (const to of graph.get(node) ?? []) {
      inDegree.set(to, (inDegree.get(to) ?? 0) - 1);
      if (inDegree.get(to) === 0) ready.push(to);
    }
  }
  return removed === nodes.size;
}

describe('computeDerivedSeries', () => {
  const takeUp = parsed('100 * {digital} / {all}');

  it('computes the periods where every input has a value and the result is defined', () => {
    const inputs = new Map([
      [
        'digital',
        new Map([
          ['2026-03-01', 70],
          ['2026-01-01', 50],
          ['2026-02-01', 60],
        ]),
      ],
      [
        'all',
        new Map([
          ['2026-01-01', 200],
          ['2026-02-01', 0],
          ['2026-04-01', 100],
        ]),
      ],
    ]);
    expect([...computeDerivedSeries(takeUp, inputs)]).toEqual([['2026-01-01', 25]]);
  });

  it('returns periods in order', () => {
    const inputs = new Map([
      [
        'digital',
        new Map([
          ['2026-03-01', 1],
          ['2026-01-01', 2],
        ]),
      ],
      [
        'all',
        new Map([
          ['2026-01-01', 4],
          ['2026-03-01', 4],
        ]),
      ],
    ]);
    expect([...computeDerivedSeries(takeUp, inputs).keys()]).toEqual(['2026-01-01', '2026-03-01']);
  });

  it('is empty when an input has no series, or the formula reads no KPI', () => {
    expect(computeDerivedSeries(takeUp, new Map([['digital', new Map([['2026-01-01', 1]])]])).size).toBe(0);
    expect(computeDerivedSeries(parsed('1 + 1'), new Map([['a', new Map([['2026-01-01', 1]])]])).size).toBe(
      0,
    );
  });

  it('agrees with evaluating the formula period by period', () => {
    const periods = ['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01'];
    const series = fc.dictionary(fc.constantFrom(...periods), fc.integer({ min: -3, max: 3 }));
    fc.assert(
      fc.property(series, series, (digital, all) => {
        const inputs = new Map([
          ['digital', new Map(Object.entries(digital))],
          ['all', new Map(Object.entries(all))],
        ]);
        const result = computeDerivedSeries(takeUp, inputs);
        for (const period of periods) {
          const d = digital[period];
          const a = all[period];
          const expected = d === undefined || a === undefined || a === 0 ? undefined : (100 * d) / a;
          expect(result.get(period)).toBe(expected);
        }
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random formulas
// ---------------------------------------------------------------------------------------------

/** Non-negative literals written without exponents, so the text can be respelled safely. */
const plainNumber = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100),
);
/** Any non-negative double, including ones JavaScript writes with an exponent. */
const anyNumber = fc.oneof(
  plainNumber,
  fc.double({ min: 0, max: 1e300, noNaN: true }).map((n) => n + 0),
);
const keys = fc.constantFrom('a', 'b', 'digital_transactions', 'x1');

function formulaTree(leafNumber: fc.Arbitrary<number>, withRefs: boolean): fc.Arbitrary<FormulaNode> {
  const leaf: fc.Arbitrary<FormulaNode> = withRefs
    ? fc.oneof(leafNumber.map(num), keys.map(ref))
    : leafNumber.map(num);
  return fc.letrec<{ node: FormulaNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      tie('node').map((operand): FormulaNode => ({ kind: 'negate', operand })),
      fc
        .tuple(fc.constantFrom<BinaryOperator>('+', '-', '*', '/'), tie('node'), tie('node'))
        .map(([operator, left, right]) => bin(operator, left, right)),
    ),
  })).node;
}

/** Every binary operation in parentheses: tests the parser without trusting formatFormula. */
function fullyParenthesised(node: FormulaNode): string {
  switch (node.kind) {
    case 'number':
      return String(node.value);
    case 'ref':
      return `{${node.key}}`;
    case 'negate':
      return `-(${fullyParenthesised(node.operand)})`;
    case 'binary':
      return `(${fullyParenthesised(node.left)} ${node.operator} ${fullyParenthesised(node.right)})`;
  }
}

describe('formula properties', () => {
  it('parses what it prints back to the same tree', () => {
    fc.assert(
      fc.property(formulaTree(anyNumber, true), (ast) => {
        expect(parsed(formatFormula(ast))).toEqual(ast);
      }),
    );
  });

  it('parses fully parenthesised formulas to the same tree', () => {
    fc.assert(
      fc.property(formulaTree(anyNumber, true), (ast) => {
        expect(parsed(fullyParenthesised(ast))).toEqual(ast);
      }),
    );
  });

  it('reads ×, ÷ and the Unicode minus like *, / and -', () => {
    fc.assert(
      fc.property(formulaTree(plainNumber, true), (ast) => {
        const respelled = formatFormula(ast).replaceAll('*', '×').replaceAll('/', '÷').replaceAll('-', '−');
        expect(parsed(respelled)).toEqual(ast);
      }),
    );
  });

  it('evaluates like JavaScript arithmetic wherever the result is defined', () => {
    fc.assert(
      fc.property(formulaTree(anyNumber, false), (ast) => {
        const text = formatFormula(ast);
        // The reference engine: JavaScript itself, on text made only of numbers, operators
        // and parentheses. It shares the precedence and associativity rules the parser follows.
        const reference: unknown = runInNewContext(text);
        const ours = evaluate(parsed(text), new Map());
        if (ours !== null) expect(ours).toBe(reference);
        if (typeof reference !== 'number' || !Number.isFinite(reference)) expect(ours).toBeNull();
      }),
    );
  });
});
