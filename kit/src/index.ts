/**
 * The one public entry of the process and HTTP kit: what every long-running process outside the
 * Functions worker needs to run and to serve HTTP itself (the local functions host, the SSE bridge,
 * the dashboard server). `runMain` is their one `main`: --help, usage errors, signals, unhandled
 * rejections. The rest is the shared server: limits on slow clients and protocol-level refusals as
 * JSON (`createLimitedServer`), the canonical request target, a guard that turns a failing handler
 * into one 500, binding and its errors. The Azure host does all of this for the deployed functions,
 * so nothing in functions/ imports the kit; the kit takes its environment reader and errors from
 * functions' entry (tools/test/layers.test.ts checks both directions).
 */
export * from './httpLimits';
export * from './listen';
export * from './processGuards';
export * from './requestTarget';
export * from './respond';
export * from './runMain';
