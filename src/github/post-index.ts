// The post step's entry (dist/post.js).
import { exitSoon } from '../lib/exit-soon';
import { run } from './post';

void run().finally(exitSoon);
