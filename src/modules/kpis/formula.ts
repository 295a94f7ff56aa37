/**
 * Derived-KPI formulas such as `100 * {digital_transactions} / {all_transactions}`.
 *
 * A small hand-written recursive-descent parser (never eval or Function: formulas are typed by
 * users) producing an AST that is evaluated per period. Grammar, loosest binding first:
 *
 *   formula := sum
 *   sum     := product (("+" | "-" | "−") product)*
 *   product := unary (("*" | "×" | "/" | "÷") unary)*
 *   unary   := ("-" | "−") unary | primary
 *   primary := number | "{" key "}" | "(" sum ")"
 *
 * Operators are left-associative; unary minus binds tightest, as in arithmetic on paper.
 */

export const KPI_KEY_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Limits that keep a hostile formula from exhausting the stack or the CPU. */
export const MAX_FORMULA_LENGTH = 2000;
export const MAX_FORMULA_DEPTH = 50;

export type BinaryOperator = '+' | '-' | '*' | '/';

export type FormulaNode =
  | { kind: 'number'; value: number }
  | { kind: 'ref'; key: string }
  | { kind: 'negate'; operand: FormulaNode }
  | { kind: 'binary'; operator: BinaryOperator; left: FormulaNode; right: FormulaNode };

export type FormulaParseResult =
  | { ok: true; ast: FormulaNode }
  | {
      ok: false;
      message: string;
      /** 1-based character position, when there is one. */ position: number | null;
    };

export interface FormulaParseOptions {
  /** When given, a reference to any other key is refused as an unknown KPI. */
  knownKeys?: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

type Token =
  | { type: 'number'; value: number; position: number }
  | { type: 'ref'; key: string; position: number }
  | { type: 'operator'; operator: BinaryOperator; text: string; position: number }
  | { type: 'open' | 'close'; text: string; position: number }
  | { type: 'end'; position: number };

/** Every spelling of each operator a person may type; Unicode minus, times and divide too. */
const OPERATOR_SPELLINGS: Readonly<Record<string, BinaryOperator>> = {
  '+': '+',
  '-': '-',
  '−': '-',
  '*': '*',
  '×': '*',
  '/': '/',
  '÷': '/',
};

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /\s+/y;

class FormulaError extends Error {
  readonly position: number | null;
  constructor(message: string, position: number | null) {
    super(message);
    this.position = position;
  }
}

function at(position: number): string {
  return `at character ${position}`;
}

/** The character at `index`, whole even when it is outside the Basic Multilingual Plane. */
function characterAt(text: string, index: number): string {
  return String.fromCodePoint(text.codePointAt(index) ?? 0);
}

function tokenise(text: string, knownKeys: ReadonlySet<string> | undefined): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    WHITESPACE.lastIndex = index;
    if (WHITESPACE.test(text)) {
      index = WHITESPACE.lastIndex;
      continue;
    }
    const token = readToken(text, index, knownKeys);
    tokens.push(token.token);
    index = token.next;
  }
  tokens.push({ type: 'end', position: text.length + 1 });
  return tokens;
}

function readToken(
  text: string,
  index: number,
  knownKeys: ReadonlySet<string> | undefined,
): { token: Token; next: number } {
  const position = index + 1;
  const character = characterAt(text, index);
  const operator = OPERATOR_SPELLINGS[character];
  if (operator) return { token: { type: 'operator', operator, text: character, position }, next: index + 1 };
  if (character === '(') return { token: { type: 'open', text: character, position }, next: index + 1 };
  if (character === ')') return { token: { type: 'close', text: character, position }, next: index + 1 };
  if (character === '{') return readReference(text, index, knownKeys);
  NUMBER.lastIndex = index;
  const number = NUMBER.exec(text);
  if (number) return readNumber(number[0], position);
  const hint = character === ',' ? ': write numbers without thousands separators' : '';
  throw new FormulaError(`Unexpected "${character}" ${at(position)}${hint}`, position);
}

function readNumber(digits: string, position: number): { token: Token; next: number } {
  const value = Number(digits);
  if (!Number.isFinite(value))
    throw new FormulaError(`Number "${digits}" ${at(position)} is too large`, position);
  return { token: { type: 'number', value, position }, next: position - 1 + digits.length };
}

function readReference(
  text: string,
  index: number,
  knownKeys: ReadonlySet<string> | undefined,
): { token: Token; next: number } {
  const position = index + 1;
  const close = text.indexOf('}', index);
  if (close === -1) throw new FormulaError(`Missing "}" to close the "{" ${at(position)}`, position);
  const key = text.slice(index + 1, close).trim();
  if (!KPI_KEY_PATTERN.test(key)) {
    throw new FormulaError(
      `"{${key}}" ${at(position)} is not a KPI key: keys are lowercase letters, digits and underscores, starting with a letter`,
      position,
    );
  }
  if (knownKeys && !knownKeys.has(key))
    throw new FormulaError(`Unknown KPI "{${key}}" ${at(position)}`, position);
  return { token: { type: 'ref', key, position }, next: close + 1 };
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/** Parses a formula into an AST, or says in words what is wrong and where. */
export function parseFormula(text: string, options: FormulaParseOptions = {}): FormulaParseResult {
  if (text.trim() === '') return { ok: false, message: 'Empty formula', position: null };
  if (text.length > MAX_FORMULA_LENGTH) {
    return {
      ok: false,
      message: `Formula is too long: at most ${MAX_FORMULA_LENGTH} characters`,
      position: null,
    };
  }
  try {
    return { ok: true, ast: new Parser(tokenise(text, options.knownKeys)).parseFormula() };
  } catch (error) {
    if (error instanceof FormulaError) return { ok: false, message: error.message, position: error.position };
    throw error;
  }
}

class Parser {
  private readonly tokens: readonly Token[];
  private index = 0;
  private depth = 0;

  constructor(tokens: readonly Token[]) {
    this.tokens = tokens;
  }

  parseFormula(): FormulaNode {
    const ast = this.parseSum();
    const next = this.peek();
    if (next.type !== 'end') throw this.unexpected(next);
    return ast;
  }

  private parseSum(): FormulaNode {
    let left = this.parseProduct();
    for (let next = this.peek(); next.type === 'operator' && isAdditive(next.operator); next = this.peek()) {
      this.index += 1;
      left = { kind: 'binary', operator: next.operator, left, right: this.parseProduct() };
    }
    return left;
  }

  private parseProduct(): FormulaNode {
    let left = this.parseUnary();
    for (let next = this.peek(); next.type === 'operator' && !isAdditive(next.operator); next = this.peek()) {
      this.index += 1;
      left = { kind: 'binary', operator: next.operator, left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FormulaNode {
    const next = this.peek();
    if (next.type === 'operator' && next.operator === '-') {
      this.index += 1;
      return { kind: 'negate', operand: this.nested(next.position, () => this.parseUnary()) };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FormulaNode {
    const token = this.peek();
    this.index += 1;
    switch (token.type) {
      case 'number':
        return { kind: 'number', value: token.value };
      case 'ref':
        return { kind: 'ref', key: token.key };
      case 'open':
        return this.nested(token.position, () => this.parseGroup(token.position));
      default:
        throw this.unexpected(token);
    }
  }

  private parseGroup(openedAt: number): FormulaNode {
    const inner = this.parseSum();
    const close = this.peek();
    if (close.type !== 'close') {
      if (close.type === 'end')
        throw new FormulaError(`Missing ")" to close the "(" ${at(openedAt)}`, close.position);
      throw this.unexpected(close);
    }
    this.index += 1;
    return inner;
  }

  /** Runs a nested parse, refusing formulas nested deeper than MAX_FORMULA_DEPTH. */
  private nested(position: number, parse: () => FormulaNode): FormulaNode {
    this.depth += 1;
    if (this.depth > MAX_FORMULA_DEPTH) {
      throw new FormulaError(
        `Formula is nested too deeply ${at(position)}: at most ${MAX_FORMULA_DEPTH} levels`,
        position,
      );
    }
    const node = parse();
    this.depth -= 1;
    return node;
  }

  private peek(): Token {
    // The token list always ends with an 'end' token, and the parser never moves past it.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] ?? { type: 'end', position: 1 };
  }

  private unexpected(token: Token): FormulaError {
    if (token.type === 'end') {
      return new FormulaError(
        `Unexpected end of formula ${at(token.position)}: expected a number, a {kpi_key} or "("`,
        token.position,
      );
    }
    return new FormulaError(`Unexpected ${describeToken(token)} ${at(token.position)}`, token.position);
  }
}

function isAdditive(operator: BinaryOperator): boolean {
  return operator === '+' || operator === '-';
}

function describeToken(token: Exclude<Token, { type: 'end' }>): string {
  switch (token.type) {
    case 'number':
      return `number ${token.value}`;
    case 'ref':
      return `"{${token.key}}"`;
    default:
      return `"${token.text}"`;
  }
}

// ---------------------------------------------------------------------------------------------
// Using the AST
// ---------------------------------------------------------------------------------------------

/** The KPI keys a formula reads, each once, in order of first appearance. */
export function referencedKeys(ast: FormulaNode): string[] {
  const keys = new Set<string>();
  const visit = (node: FormulaNode): void => {
    switch (node.kind) {
      case 'ref':
        keys.add(node.key);
        return;
      case 'negate':
        visit(node.operand);
        return;
      case 'binary':
        visit(node.left);
        visit(node.right);
        return;
      case 'number':
        return;
    }
  };
  visit(ast);
  return [...keys];
}

/**
 * The formula's value for one period, or null when it has none: an input is missing, a
 * division is by zero, or the result is not a finite number. "No value" rather than an error,
 * because a zero denominator in one period is ordinary data, not a broken formula.
 */
export function evaluate(ast: FormulaNode, values: ReadonlyMap<string, number>): number | null {
  const result = evaluateNode(ast, values);
  return result !== null && Number.isFinite(result) ? result : null;
}

function evaluateNode(node: FormulaNode, values: ReadonlyMap<string, number>): number | null {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'ref': {
      const value = values.get(node.key);
      return value !== undefined && Number.isFinite(value) ? value : null;
    }
    case 'negate': {
      const operand = evaluateNode(node.operand, values);
      return operand === null ? null : -operand;
    }
    case 'binary':
      return evaluateBinary(node.operator, evaluateNode(node.left, values), evaluateNode(node.right, values));
  }
}

function evaluateBinary(operator: BinaryOperator, left: number | null, right: number | null): number | null {
  if (left === null || right === null) return null;
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return right === 0 ? null : left / right;
  }
}

const PRECEDENCE: Readonly<Record<BinaryOperator, number>> = { '+': 1, '-': 1, '*': 2, '/': 2 };
const PRINTED_OPERATOR: Readonly<Record<BinaryOperator, string>> = { '+': '+', '-': '-', '*': '*', '/': '/' };

/**
 * The formula written back in canonical form, with only the parentheses it needs:
 * parseFormula(formatFormula(ast)) gives the same AST back.
 */
export function formatFormula(ast: FormulaNode): string {
  switch (ast.kind) {
    case 'number':
      return String(ast.value);
    case 'ref':
      return `{${ast.key}}`;
    case 'negate':
      // Parenthesise anything but a leaf, so "-(-x)" never reads as "--x".
      return ast.operand.kind === 'number' || ast.operand.kind === 'ref'
        ? `-${formatFormula(ast.operand)}`
        : `-(${formatFormula(ast.operand)})`;
    case 'binary':
      return `${formatOperand(ast.left, ast.operator, 'left')} ${PRINTED_OPERATOR[ast.operator]} ${formatOperand(ast.right, ast.operator, 'right')}`;
  }
}

/** Operators associate to the left, so an equal-precedence right operand needs parentheses. */
function formatOperand(node: FormulaNode, parent: BinaryOperator, side: 'left' | 'right'): string {
  const printed = formatFormula(node);
  if (node.kind !== 'binary') return printed;
  const needsParentheses =
    PRECEDENCE[node.operator] < PRECEDENCE[parent] ||
    (side === 'right' && PRECEDENCE[node.operator] === PRECEDENCE[parent]);
  return needsParentheses ? `(${printed})` : printed;
}

// ---------------------------------------------------------------------------------------------
// Dependencies between derived KPIs
// ---------------------------------------------------------------------------------------------

/**
 * A cycle in the graph of KPI references (key → keys its formula reads), as the path that
 * closes it (['a', 'b', 'a']), or null. Keys not in the graph are measured KPIs: leaves.
 * Depth-first with an explicit stack, so long chains cannot overflow the call stack.
 */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const finished = new Set<string>();
  for (const start of graph.keys()) {
    if (finished.has(start)) continue;
    const cycle = cycleFrom(start, graph, finished);
    if (cycle) return cycle;
  }
  return null;
}

function cycleFrom(
  start: string,
  graph: ReadonlyMap<string, readonly string[]>,
  finished: Set<string>,
): string[] | null {
  const path: string[] = [start];
  const onPath = new Set<string>([start]);
  const nextChild: number[] = [0];
  while (path.length > 0) {
    const depth = path.length - 1;
    const node = path[depth] ?? '';
    const childIndex = nextChild[depth] ?? 0;
    const child = graph.get(node)?.[childIndex];
    if (child === undefined) {
      finished.add(node);
      onPath.delete(node);
      path.pop();
      nextChild.pop();
      continue;
    }
    nextChild[depth] = childIndex + 1;
    if (onPath.has(child)) return [...path.slice(path.indexOf(child)), child];
    if (finished.has(child)) continue;
    path.push(child);
    onPath.add(child);
    nextChild.push(0);
  }
  return null;
}

/** 'Circular reference: a → b → a'. */
export function describeCycle(cycle: readonly string[]): string {
  return `Circular reference: ${cycle.join(' → ')}`;
}

// ---------------------------------------------------------------------------------------------
// Series
// ---------------------------------------------------------------------------------------------

/**
 * The derived KPI's values by period (in period order), for every period where each input has
 * a value and the formula gives one. Inputs are expected on the derived KPI's own periods;
 * aligning different frequencies is the caller's job. A formula with no references has no
 * periods of its own and gives an empty series.
 */
export function computeDerivedSeries(
  ast: FormulaNode,
  inputs: ReadonlyMap<string, ReadonlyMap<string, number>>,
): Map<string, number> {
  const series = new Map<string, number>();
  const keys = referencedKeys(ast);
  const columns = keys.map((key) => inputs.get(key));
  if (columns.length === 0 || columns.some((column) => column === undefined)) return series;
  const present = columns.filter((column) => column !== undefined);
  const shortest = present.reduce((a, b) => (b.size < a.size ? b : a));
  for (const period of [...shortest.keys()].sort()) {
    const values = valuesFor(period, keys, inputs);
    if (!values) continue;
    const result = evaluate(ast, values);
    if (result !== null) series.set(period, result);
  }
  return series;
}

function valuesFor(
  period: string,
  keys: readonly string[],
  inputs: ReadonlyMap<string, ReadonlyMap<string, number>>,
): Map<string, number> | null {
  const values = new Map<string, number>();
  for (const key of keys) {
    const value = inputs.get(key)?.get(period);
    if (value === undefined) return null;
    values.set(key, value);
  }
  return values;
}
