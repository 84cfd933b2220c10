#!/usr/bin/env node
// The package's executable: it runs the CLI bundled into dist/bin/ by `pnpm build`. It lives outside dist/ so that a
// package manager can link it before a fresh workspace is built (a link to a missing file is refused with a warning).
require('../dist/bin/btf-bundle.cjs');
