// Which HTTP app tests run as a replica: the shared example app when it exists, else ours.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const examplesEcho = fileURLToPath(new URL('../../../../examples/apps/echo.mjs', import.meta.url));
const testingEcho = fileURLToPath(new URL('./echo-app.mjs', import.meta.url));

export const ECHO_APP = existsSync(examplesEcho) ? examplesEcho : testingEcho;
