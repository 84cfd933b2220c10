/** The example app (each example bundles this file): look up BTFs for opensnoop.bpf.o. */
import * as btf from 'virtual:btf-bundle';
import objectPath from '../../packages/core/testdata/opensnoop.bpf.o?path';
import { report } from './report.js';

report(btf, objectPath).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
