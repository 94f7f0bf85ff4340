"use strict";
// sprint-budget post-tool-use: runs post-tool-use.bundle.cjs from V8's code cache (src/runner/cached-run.ts).
require("../cached-run.cjs").runCached(require("node:path").join(__dirname, "post-tool-use.bundle.cjs"), require);
