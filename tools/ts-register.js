'use strict';
// `node -r ./tools/ts-register.js file.ts`: runs the repository's TypeScript tools (bench) from source
// with ts-node in transpile-only mode — the ts-node package, or the fork tap 21 brings along. Child
// processes started with process.execArgv inherit it.
for (const name of ['ts-node', '@isaacs/ts-node-temp-fork-for-pr-2009']) {
  try {
    require(require.resolve(`${name}/register/transpile-only`));
    return;
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
  }
}
throw new Error('tools/ts-register.js: ts-node is not installed (npm ci installs it with the devDependencies)');
