#!/usr/bin/env node
// Entry point for `npx vswitch-lab` / `npm exec vswitch-lab`: runs the TypeScript CLI through tsx,
// so a fresh `npm ci` is enough (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
