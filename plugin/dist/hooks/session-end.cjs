"use strict";
// sprint-budget session-end: runs session-end.bundle.cjs from V8's code cache (src/runner/cached-run.ts).
require("../cached-run.cjs").runCached(require("node:path").join(__dirname, "session-end.bundle.cjs"), require);
