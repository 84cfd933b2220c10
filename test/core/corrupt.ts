/**
 * Corrupted reduced BTFs that every full-vs-reduced oracle must report: an enumerator value changed, a member
 * offset moved, and a needed type made missing (corruptions from test/oracle/btf-patch.ts).
 */
import { join } from 'node:path';
import { minimizeBtf } from '../../packages/core/dist/index.js';
import { renameString, shiftEnumValue, shiftMemberOffset } from '../oracle/btf-patch.js';
import { loadObject, referenceKernel, targetBtf, testdata } from './corpus.js';

/** What {@link corruptedOutputs} returns: per case, the target and objects minimized (robust mode) and the outputs. */
export interface CorruptedOutputs {
  /** enums.bpf.o against targets/enums.o: the intact output, and one where enumerator en::EN_B is 1 more. */
  enums: { target: string; objects: string[]; intact: Uint8Array; valueChanged: Uint8Array };
  /**
   * tcpstates.bpf.o against the reference kernel: trace_event_raw_inet_sock_set_state.protocol moved by 8
   * bits, and trace_event_raw_inet_sock_set_state missing (renamed).
   */
  tcp: { target: string; objects: string[]; memberMoved: Uint8Array; typeMissing: Uint8Array };
}

/** Minimizes the two cases of {@link CorruptedOutputs} and corrupts the outputs. */
export async function corruptedOutputs(): Promise<CorruptedOutputs> {
  const enumsTarget = join(testdata, 'targets/enums.o');
  const enumsObjects = [join(testdata, 'enums.bpf.o')];
  const enums = minimizeBtf(await targetBtf(enumsTarget), enumsObjects.map(loadObject)).btf;
  const kernel = referenceKernel();
  const tcpObjects = [join(testdata, 'tcpstates.bpf.o')];
  const tcp = minimizeBtf(await targetBtf(kernel), tcpObjects.map(loadObject)).btf;
  return {
    enums: {
      target: enumsTarget,
      objects: enumsObjects,
      intact: enums,
      valueChanged: shiftEnumValue(enums, 'en', 'EN_B', 1),
    },
    tcp: {
      target: kernel,
      objects: tcpObjects,
      memberMoved: shiftMemberOffset(tcp, 'trace_event_raw_inet_sock_set_state', 'protocol', 8),
      typeMissing: renameString(tcp, 'trace_event_raw_inet_sock_set_state'),
    },
  };
}
