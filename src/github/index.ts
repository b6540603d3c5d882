// The main step's entry (dist/index.js): run, then end the process soon even if a socket stays open.
import { exitSoon } from '../lib/exit-soon';
import { run } from './main';

void run().finally(exitSoon);
