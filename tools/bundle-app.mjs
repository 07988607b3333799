// Bundles an app for container images: workspace libraries (TypeScript sources) are
// compiled in, npm packages stay external and are installed beside the bundle.
// Usage: node tools/bundle-app.mjs <entry.ts> <outfile.js>   (run from the app's folder)
import { build } from 'esbuild';

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error('usage: bundle-app.mjs <entry.ts> <outfile.js>');
  process.exit(2);
}

const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@trunkline/') ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  plugins: [externalNpmPackages],
  logLevel: 'warning',
});
