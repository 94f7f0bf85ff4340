"use strict";
// sprint-budget pre-tool-use: runs pre-tool-use.bundle.cjs from V8's code cache (src/runner/cached-run.ts).
require("../cached-run.cjs").runCached(require("node:path").join(__dirname, "pre-tool-use.bundle.cjs"), require);
