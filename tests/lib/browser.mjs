// What every browser test shares: Debian's chromium through playwright-core,
// the viewports, and where screenshots go.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const SHOTS = fileURLToPath(new URL('../../build/screenshots/', import.meta.url));
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

// Flags keep chromium from reaching the network it is denied here.
export async function launchBrowser() {
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/lib/chromium/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
