// Settings the tests read from the environment (run.sh sets all of them).

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through tests/browser/run.sh`);
  return value;
}

export const BASE_URL = required('LETAO_BASE_URL').replace(/\/$/, '');
export const SIM_URL = required('SIM_BASE_URL').replace(/\/$/, '');
export const OUTBOX = required('LETAO_SMS_OUTBOX');
export const DB_PATH = process.env.LETAO_DB_PATH ?? '';
export const LETAO_BIN = process.env.LETAO_BIN ?? '';
export const WORK_DIR = process.env.LETAO_WORK_DIR ?? process.cwd();
export const JWT_SECRET = process.env.LETAO__AUTH__JWT_SECRET ?? '';
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const OUT_DIR = resolve(process.env.OUT_DIR ?? 'out');
/** 1: only what today's backend serves (no addresses, roles, owner routes). */
export const ROUND = Number(process.env.LETAO_BROWSER_ROUND ?? 2);
export const ROUND2 = ROUND >= 2;

mkdirSync(OUT_DIR, { recursive: true });
export const TMP = mkdtempSync(join(process.env.LETAO_WORK_DIR ?? tmpdir(), 'browser-'));

/** A short id unique to this test process, for usernames and mobiles. */
export const RUN = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36).slice(-2)}`;

let mobileCounter = 0;
/** A mainland mobile number unused in this run (1[3-9] + 9 digits). */
export function freshMobile() {
  mobileCounter += 1;
  const tail = `${Date.now() % 1e6}`.padStart(6, '0') + `${process.pid % 10}${mobileCounter % 100}`.padStart(3, '0');
  return `139${tail.slice(-8)}`;
}
