"use strict";
// sprint-budget post-tool-use-failure: runs post-tool-use-failure.bundle.cjs from V8's code cache (src/runner/cached-run.ts).
require("../cached-run.cjs").runCached(require("node:path").join(__dirname, "post-tool-use-failure.bundle.cjs"), require);
