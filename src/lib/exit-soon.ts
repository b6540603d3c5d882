/**
 * Ends the process a second after an entry point is done, even with a socket to a silent host still
 * open (MSAL's metadata request takes no abort signal): an orphan socket must not hold a CI job.
 * The second lets the last output drain where writes to a pipe are asynchronous.
 */
export function exitSoon(): void {
  setTimeout(() => process.exit(), 1000).unref();
}
