import { afterAll, beforeAll } from 'vitest';
import { FRAMEWORKS, type AppFactory, type RunningApp } from './apps.js';
import { createFixture, type Fixture } from './fixture.js';

export interface Running {
  name: string;
  app: RunningApp;
  fx: Fixture;
}

/** One real server per framework, each on a fresh fixture: started before the suite, closed after. */
export function useAllFrameworks(frameworks: { name: string; start: AppFactory }[] = FRAMEWORKS): Running[] {
  const running: Running[] = [];
  beforeAll(async () => {
    for (const f of frameworks) {
      const fx = await createFixture();
      running.push({ name: f.name, app: await f.start(fx.keyring), fx });
    }
  });
  afterAll(async () => {
    await Promise.all(running.map((r) => r.app.close()));
  });
  return running;
}
