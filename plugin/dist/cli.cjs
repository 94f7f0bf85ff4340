"use strict";
// sprint-budget cli: runs cli.bundle.cjs from V8's code cache (src/runner/cached-run.ts).
require("./cached-run.cjs").runCached(require("node:path").join(__dirname, "cli.bundle.cjs"), require, process.argv[2]);
