#!/usr/bin/env node
"use strict";
// Runs the compiled CLI (built by `npm ci` through the `prepare` script).
const path = require("node:path");
const fs = require("node:fs");
const entry = path.join(__dirname, "..", "dist", "src", "cli", "main.js");
if (!fs.existsSync(entry)) {
  process.stderr.write("sm-audit: not built yet; run `npm ci` (or `npm run build`) in " + path.join(__dirname, "..") + "\n");
  process.exit(2);
}
// The SDK warns on every run that its releases after January 2027 need Node 22. The
// versions locked in package-lock.json run on Node 20 (the project's engine); the notice
// belongs in the README, not in every audit's stderr.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === "string" ? warning : warning && warning.message;
  if (typeof text === "string" && text.startsWith("NodeVersionSupportWarning")) return;
  emitWarning(warning, ...rest);
};
// A closed pipe (`sm-audit rules list | head`) ends the output quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err && err.code === "EPIPE") process.exit(process.exitCode || 0);
    throw err;
  });
}
require(entry).main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
