// The line an event quotes from a crashed replica's output.
import { describe, expect, it } from 'vitest';
import { terminationHeadline } from './termination-headline.js';

describe('terminationHeadline', () => {
  it("finds Node's error line above its stack and version footer", () => {
    const out = [
      'node:internal/modules/cjs/loader:1080',
      '  throw err;',
      '  ^',
      '',
      "Error: Cannot find module '/srv/examples/apps/echo.mjs'",
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15)',
      '    at node:internal/main/run_main_module:28:49 {',
      "  code: 'MODULE_NOT_FOUND',",
      '  requireStack: []',
      '}',
      '',
      'Node.js v20.20.2',
    ].join('\n');
    expect(terminationHeadline(out)).toBe("Error: Cannot find module '/srv/examples/apps/echo.mjs'");
  });

  it("takes Python's last line, and the last line when nothing reads like an error", () => {
    expect(terminationHeadline('Traceback (most recent call last):\n  File "app.py", line 1, in <module>\nModuleNotFoundError: No module named \'flask\'\n')).toBe("ModuleNotFoundError: No module named 'flask'");
    expect(terminationHeadline('starting\nlistening on 8080\nbye\n')).toBe('bye');
  });

  it('is undefined for no output and cuts long lines', () => {
    expect(terminationHeadline(undefined)).toBeUndefined();
    expect(terminationHeadline('\n \n')).toBeUndefined();
    expect(terminationHeadline(`Error: ${'x'.repeat(500)}`)).toHaveLength(200);
  });
});
