"use strict";
// sprint-budget stop: runs stop.bundle.cjs from V8's code cache (src/runner/cached-run.ts).
require("../cached-run.cjs").runCached(require("node:path").join(__dirname, "stop.bundle.cjs"), require);
