"use strict";
// sprint-budget session-start hook: runs session-start.bundle.cjs from V8's code cache (src/lib/cached-run.ts).
require("../cached-run.cjs").runCached(require("node:path").join(__dirname, "session-start.bundle.cjs"));
