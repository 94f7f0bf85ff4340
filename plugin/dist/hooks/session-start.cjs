"use strict";
// sprint-budget session-start: runs session-start.bundle.cjs from V8's code cache (src/runner/cached-run.ts).
require("../cached-run.cjs").runCached(require("node:path").join(__dirname, "session-start.bundle.cjs"), require);
