#!/usr/bin/env node
// Runs the AsyncAPI CLI's own `validate` command on each file given, in one Node process: the CLI's start-up
// (seconds) is paid once instead of once per document. Prints the CLI's output per file between markers and
// exits 1 when any file fails. Usage: node validate-all.cjs FILE... [-- extra validate flags]
process.env.NODE_ENV = "production"; // what the CLI's own bin/run_bin sets
const path = require("node:path");
const oclif = require("@oclif/core");

const args = process.argv.slice(2);
const split = args.indexOf("--");
const files = split < 0 ? args : args.slice(0, split);
const flags = split < 0 ? [] : args.slice(split + 1);
const root = path.dirname(require.resolve("@asyncapi/cli/package.json"));

(async () => {
  let failed = 0;
  for (const file of files) {
    console.log(`=== validate ${file}`);
    process.exitCode = 0;
    let code;
    try {
      await oclif.run(["validate", file, ...flags], root);
      code = process.exitCode ?? 0;
    } catch (err) {
      code = err?.oclif?.exit ?? 1;
      console.log(err?.message ?? String(err));
    }
    console.log(`=== exit ${code} ${file}`);
    if (code !== 0) failed += 1;
  }
  await oclif.flush();
  process.exitCode = failed ? 1 : 0;
})();
