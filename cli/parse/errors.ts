// Errors that carry a one-line message meant for the person at the terminal.

/** Input that cannot be turned into a credential: the message names the problem. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}

/** Longest input value an error message quotes; anything longer is described by its length only. */
export const QUOTED_VALUE_MAX_CHARS = 8;

/**
 * How an error message shows a field it refuses (an algorithm, a digit count, a type), so that a
 * secret that landed in the wrong field never reaches the terminal: short values are quoted, longer
 * ones are given by length only. Never use it for secrets or passwords themselves (give nothing).
 */
export function describeValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (typeof value !== "string") return `a JSON ${Array.isArray(value) ? "array" : typeof value}`;
  if (value.length <= QUOTED_VALUE_MAX_CHARS && !/[\u0000-\u001f]/.test(value)) return `'${value}'`;
  return `a value of ${value.length} characters`;
}
