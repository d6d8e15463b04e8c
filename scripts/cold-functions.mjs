// An asc transform: functions marked `@cold` in the comment line right above them are never inlined.
// wasm3 compiles a whole function on its first call, so code inlined into a hot function costs
// compiled-code RAM on every board even when it never runs (docs/wasm3.md, "Cold functions").
import binaryen from "binaryen";

export const MARKED = /^[ \t]*\/\/[^\n]*@cold\b[^\n]*\n(?:[ \t]*\/\/[^\n]*\n)*[ \t]*(?:export[ \t]+)?function[ \t]+([A-Za-z_$][\w$]*)/gm;

export default class ColdFunctions {
  afterInitialize(program) {
    this.names = [];
    for (const source of program.sources) {
      if (source.isLibrary) continue;
      for (const match of source.text.matchAll(MARKED)) this.names.push(`${source.internalPath}/${match[1]}`);
    }
  }

  afterCompile(module) {
    for (const name of this.names) {
      // Absent: unused in this module (asc compiles only what is reachable). test/cold-functions.test.ts
      // checks that the token module has every marked function as a function of its own.
      if (!module.getFunction(name)) continue;
      binaryen.setPassArgument("no-inline", name);
      module.runPasses(["no-inline"]);
    }
  }
}
