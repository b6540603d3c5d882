import { renameSync } from 'node:fs';

/** The errors Windows gives a rename over a file another process has open (a reader, an antivirus scan, the search indexer). */
const SHARING_VIOLATIONS = new Set(['EPERM', 'EBUSY', 'EACCES']);
/**
 * Waits between attempts: short at first, about 10 s in all (a virus scanner may hold a file for seconds, and a
 * reader descheduled on a busy machine holds it for its whole time slice), then the last error stands.
 */
const BACKOFF_MS = [5, 10, 20, 40, 80, 160, 250, 400, 600, 800, 1000, 1000, 1000, 1000, 1000, 1000, 1000];

/**
 * Renames `from` over `to`. On Windows the rename fails while another process holds `to` open; such a
 * failure is retried with a short, bounded backoff (readers hold a small file for milliseconds).
 * Elsewhere a rename replaces an open file, and these errors are real: they are not retried.
 */
export async function replaceFile(from: string, to: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const wait = BACKOFF_MS[attempt];
      if (platform !== 'win32' || !SHARING_VIOLATIONS.has(code) || wait === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
    }
  }
}
