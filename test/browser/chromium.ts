/**
 * Debian's Chromium driven by playwright-core, offline. `launch` gives every browser a fresh,
 * throwaway --user-data-dir of its own (Playwright refuses the flag and makes the directory itself).
 */
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

export const SCREENSHOTS = join(process.cwd(), "test-results", "console");

export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return { browser, close: () => browser.close() };
}
