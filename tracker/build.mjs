// Minifies src/playlens.js into the file named by the first argument and refuses a bundle over
// 6 KB gzipped. Run by the Maven build (process-resources); `npm run build` does the same.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

const LIMIT = 6 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? resolve(here, '../target/classes/web/js/playlens.js'));
const source = readFileSync(resolve(here, 'src/playlens.js'), 'utf8');

const result = await minify(source, {
  ecma: 2015,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: /^!/ },
});
const gzipped = gzipSync(result.code, { level: 9 }).length;
if (gzipped > LIMIT) {
  console.error(`tracker: ${gzipped} bytes gzipped, over the ${LIMIT}-byte budget`);
  process.exit(1);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, result.code);
console.log(`tracker: ${out} (${result.code.length} bytes, ${gzipped} gzipped)`);
