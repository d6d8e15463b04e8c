// wasm3's compiled code as a cache (docs/wasm3.md, "Compiled code: a bounded cache"). wasm3 0.5.0
// compiles a function on its first call and never frees the code. Compiled code points into itself
// (op_Call's operand is the callee's code), so it can only be dropped all at once, and only while no
// wasm frame is live: between two calls from the host. Every function then compiles again on its
// next call (op_Compile, op_CallIndirect and the host's calls do that).
#include "host.h"
#include "m3_env.h"  // M3Runtime's code page lists, M3Function.compiled, CompileFunction

static uint32_t page_list_bytes(IM3CodePage page) {
  uint32_t bytes = 0;
  for (; page != NULL; page = page->info.next) {
    bytes += (uint32_t)(sizeof(M3CodePageHeader) + sizeof(code_t) * page->info.numLines);
  }
  return bytes;
}

uint32_t tk_host_code_bytes(const tk_host *host) {
  if (host->runtime == NULL) return 0;
  IM3Runtime runtime = host->runtime;
  return page_list_bytes(runtime->pagesOpen) + page_list_bytes(runtime->pagesFull) +
         page_list_bytes(runtime->environment->pagesReleased);
}

M3Result tk_host_drop_code(tk_host *host) {
  IM3Runtime runtime = host->runtime;
  // A page still being written means a compilation is under way: never drop then.
  if (runtime->numActiveCodePages != 0) return "code pages in use";
  for (IM3Module module = runtime->modules; module != NULL; module = module->next) {
    for (uint32_t i = 0; i < module->numFunctions; i++) {
      IM3Function function = &module->functions[i];
      function->compiled = NULL;  // imports too: their call stubs live in the same pages
      m3_Free(function->constants);  // CompileFunction allocates them anew
      function->numConstantBytes = 0;
    }
  }
  FreeCodePages(&runtime->pagesOpen);
  FreeCodePages(&runtime->pagesFull);
  FreeCodePages(&runtime->environment->pagesReleased);
  runtime->numCodePages = 0;
  host->codeDrops++;
  // The imports' call stubs again (one small page): a linked import has no wasm to compile.
  for (IM3Module module = runtime->modules; module != NULL; module = module->next) {
    M3Result result = tk_link_imports(module, host);
    if (result != m3Err_none) return result;
  }
  return m3Err_none;
}

M3Result tk_host_compiled(IM3Function function) {
  return function->compiled != NULL ? m3Err_none : CompileFunction(function);
}

void tk_host_trim_code(tk_host *host, int afterInit) {
  int wanted = host->codeDropWanted;
  host->codeDropWanted = 0;  // a hint is for the event that gave it, kept or not
  if (host->codeBudgetBytes == 0 || host->state != TK_RUNNING) return;
  uint32_t bytes = tk_host_code_bytes(host);
  if (bytes > host->codePeakBytes) host->codePeakBytes = bytes;
  if (!afterInit && !wanted && bytes <= host->codeBudgetBytes) return;
  M3Result result = tk_host_drop_code(host);
  if (result != m3Err_none) {
    host->state = TK_STOPPED_TRAP;
    host->stopDetail = result;
  }
}
