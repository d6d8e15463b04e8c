// npm run bench: runs every bench/*.bench.ts (compiled to dist/bench/*.bench.js) and writes their
// sections, in file-name order, to docs/benchmarks.md with the command and the machine.
// `npm run bench -- NAME...` runs only the named benches and keeps the other sections as they were.
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname, basename } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cpus } from "node:os";
import { packageRoot } from "../host-sim/paths.js";

/** A bench module's default export: runs, then returns its markdown section (without a heading). */
export type Bench = () => Promise<{ title: string; markdown: string }>;

const here = dirname(fileURLToPath(import.meta.url));
const docPath = join(packageRoot(), "docs", "benchmarks.md");
const START = (name: string) => `<!-- bench:${name} -->`;
const END = (name: string) => `<!-- /bench:${name} -->`;

function previousSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(docPath)) return sections;
  const text = readFileSync(docPath, "utf8");
  for (const match of text.matchAll(/<!-- bench:([\w-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)) {
    sections.set(match[1], match[2]);
  }
  return sections;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const names = readdirSync(here).filter((f) => f.endsWith(".bench.js")).map((f) => basename(f, ".bench.js")).sort();
  const unknown = only.filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new Error(`unknown bench '${unknown[0]}' (have: ${names.join(", ")})`);
  const sections = previousSections();
  for (const name of names) {
    if (only.length > 0 && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name}...\n`);
    const bench = (await import(pathToFileURL(join(here, `${name}.bench.js`)).href)).default as Bench;
    const { title, markdown } = await bench();
    const dated = `## ${title}\n\nMeasured ${new Date().toISOString().slice(0, 10)} with \`npm run bench -- ${name}\` ` +
      `on ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), Node ${process.version}.\n\n${markdown.trim()}\n\n`;
    sections.set(name, dated);
    process.stdout.write(dated);
  }
  const body = names.filter((n) => sections.has(n)).map((n) => `${START(n)}\n${sections.get(n)}${END(n)}`).join("\n\n");
  writeFileSync(docPath, `# Benchmarks\n\nWritten by \`npm run bench\` (all sections) or \`npm run bench -- NAME\` (one ` +
    `section); each section names the command that produced it. Ratios are measured side by side in one ` +
    `process; absolute figures depend on the machine.\n\n${body}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
