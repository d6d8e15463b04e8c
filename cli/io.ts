// The real terminal: stdout/stderr, files, hidden input for secrets and passwords.
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Io } from "./commands/framework.js";

let lineIterator: AsyncIterator<string> | null = null;

async function nextStdinLine(): Promise<string | null> {
  lineIterator ??= createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
  const next = await lineIterator.next();
  return next.done ? null : next.value;
}

/** Reads a line from a terminal without echoing it. */
function readHiddenFromTerminal(): Promise<string | null> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    let text = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const finish = (value: string | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stderr.write("\n");
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish(text);
        if (ch === "\u0003") { finish(null); process.exit(130); }
        if (ch === "\u0004") return finish(text === "" ? null : text);
        if (ch === "\u007f" || ch === "\b") text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on("data", onData);
  });
}

export function nodeIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    async readLine(prompt, hidden) {
      process.stderr.write(prompt);
      if (hidden && process.stdin.isTTY) return readHiddenFromTerminal();
      return nextStdinLine();
    },
    async readFile(path) {
      if (path === "-") {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return new Uint8Array(Buffer.concat(chunks));
      }
      try {
        return new Uint8Array(await readFile(path));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(code === "ENOENT" ? `${path}: no such file` : `${path}: ${(error as Error).message}`);
      }
    },
    now: () => Date.now() / 1000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    env: process.env,
  };
}
