/** `npm run ops -- <command>`: see USAGE in cli.ts, or `npm run ops -- help`. */
import { runCli } from './cli.ts';

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  now: () => Date.now(),
});
process.exitCode = code;
