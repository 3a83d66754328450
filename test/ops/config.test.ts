import { createClock } from '../../server/clock';
import { ConfigError, loadConfig } from '../../server/config';

describe('configuration', () => {
  it('has defaults that run Parley on the embedded database at localhost:3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, databaseUrl: undefined, publicUrl: 'http://localhost:3000', rateLimits: true });
    expect(config.dataDir).toMatch(/data$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', PUBLIC_URL: 'ftp://x', LOG_LEVEL: 'loud', PARLEY_RATE_LIMITS: 'maybe' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'PUBLIC_URL', 'LOG_LEVEL', 'PARLEY_RATE_LIMITS']) expect(problems).toContain(name);
  });

  it('derives the public origin from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://comments.example/' }).publicOrigin).toBe('https://comments.example');
  });

  it('moves the schedules\' clock only under NODE_ENV=test', () => {
    expect(() => loadConfig({ PARLEY_TEST_CLOCK_OFFSET_MS: '3600000', NODE_ENV: 'production' })).toThrow(/PARLEY_TEST_CLOCK_OFFSET_MS/);
    expect(() => loadConfig({ PARLEY_TEST_CLOCK_OFFSET_MS: '3600000' })).toThrow(/only allowed with NODE_ENV=test/);
    const config = loadConfig({ PARLEY_TEST_CLOCK_OFFSET_MS: '3600000', NODE_ENV: 'test' });
    expect(config.clockOffsetMs).toBe(3_600_000);
    const clock = createClock(config.clockOffsetMs);
    expect(clock.now().getTime() - Date.now()).toBeGreaterThanOrEqual(3_600_000 - 50);
    clock.advance(-3_600_000);
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
  });
});
