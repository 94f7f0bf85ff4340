"use strict";
// sprint-budget subagent-stop: runs subagent-stop.bundle.cjs from V8's code cache (src/runner/cached-run.ts).
require("../cached-run.cjs").runCached(require("node:path").join(__dirname, "subagent-stop.bundle.cjs"), require);
