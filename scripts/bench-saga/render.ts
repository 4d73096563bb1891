/**
 * Prints the markdown of saved `npm run bench:saga` results again (e.g. after the report changed):
 *   ./node_modules/.bin/node build/scripts/bench-saga/render.js .run/bench-saga/bench-saga-300-*.json
 */
import { readFileSync } from 'node:fs';
import { renderMarkdown, type SagaBenchResult } from './report';

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: node build/scripts/bench-saga/render.js <bench-saga-*.json>...\n');
    process.exit(64);
  }
  for (const file of files) {
    const result = JSON.parse(readFileSync(file, 'utf8')) as SagaBenchResult;
    process.stdout.write(`${renderMarkdown(result)}\n`);
  }
}
