// Where a JSON text goes wrong, as line and column. JSON.parse's own message quotes the text near
// the error (Node 20: `Unexpected token 'x', "...text..." is not valid JSON`), and in an export the
// text near the error is often a secret, so error messages use this scan instead of that message.

/** Offset of the first character that makes `text` invalid JSON (text.length: it ends early). */
function firstErrorOffset(text: string): number {
  let at = 0;
  const fail = (): never => { throw at; };
  const space = () => { while (at < text.length && " \t\r\n".includes(text[at])) at++; };
  const literal = (word: string) => { for (const ch of word) { if (text[at] !== ch) fail(); at++; } };
  const string = () => {
    at++; // the opening quote
    for (;;) {
      if (at >= text.length) fail();
      const ch = text[at];
      if (ch === '"') { at++; return; }
      if (ch < " ") fail();
      if (ch === "\\") {
        at++;
        if (text[at] === "u") { at++; for (let i = 0; i < 4; i++) { if (!/[0-9a-fA-F]/.test(text[at] ?? "")) fail(); at++; } continue; }
        if (!'"\\/bfnrt'.includes(text[at] ?? "x")) fail();
      }
      at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) fail();
    at += match![0].length;
  };
  const value = (): void => {
    space();
    const ch = text[at];
    if (ch === "{") {
      at++; space();
      if (text[at] === "}") { at++; return; }
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        string(); space();
        if (text[at] !== ":") fail();
        at++; value(); space();
        if (text[at] === ",") { at++; continue; }
        if (text[at] === "}") { at++; return; }
        fail();
      }
    }
    if (ch === "[") {
      at++; space();
      if (text[at] === "]") { at++; return; }
      for (;;) {
        value(); space();
        if (text[at] === ",") { at++; continue; }
        if (text[at] === "]") { at++; return; }
        fail();
      }
    }
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    return number();
  };
  try {
    value(); space();
    return at < text.length ? at : -1;
  } catch (offset) {
    if (typeof offset === "number") return Math.min(offset, text.length);
    throw offset;
  }
}

/** "at line L, column C" of the first error in `text` (1-based), or "(the text ends early)". */
export function jsonErrorPosition(text: string): string {
  const offset = firstErrorOffset(text);
  if (offset < 0 || offset >= text.length) return "(the text ends early)";
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `at line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}
