// Registers ts-node's ESM loader: on Node 20 `ts-node file.ts` cannot load .ts in a "type": "module"
// package (ERR_UNKNOWN_FILE_EXTENSION), the loader hook can.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('ts-node/esm', pathToFileURL('./'));
