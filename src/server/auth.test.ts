import { describe, expect, it } from 'vitest';
import { BadRequestError, UnauthorizedError, ValidationError } from '../api/index.js';
import { createAuthenticator, parseTokenFile } from './auth.js';

describe('authentication', () => {
  it('with auth off, takes the actor from X-Remote-User or falls back to anonymous', () => {
    const a = createAuthenticator();
    expect(a.enabled).toBe(false);
    expect(a.authenticate({})).toBe('anonymous');
    expect(a.authenticate({ 'x-remote-user': 'alice' })).toBe('user:alice');
    expect(() => a.authenticate({ 'x-remote-user': 'al ice\n' })).toThrow(BadRequestError);
  });

  it('with a token file, requires a known bearer token and ignores X-Remote-User', () => {
    const a = createAuthenticator(parseTokenFile('# comment\nsecret-1,alice,1\n\nsecret-2,bob\n'));
    expect(a.authenticate({ authorization: 'Bearer secret-1', 'x-remote-user': 'mallory' })).toBe('user:alice');
    expect(a.authenticate({ authorization: 'bearer secret-2' })).toBe('user:bob');
    expect(() => a.authenticate({})).toThrow(UnauthorizedError);
    expect(() => a.authenticate({ authorization: 'Bearer nope' })).toThrow(UnauthorizedError);
    expect(() => a.authenticate({ authorization: 'Basic c2VjcmV0LTE=' })).toThrow(UnauthorizedError);
  });

  it('rejects token files without tokens or with malformed lines, naming the line', () => {
    expect(() => parseTokenFile('# only a comment\n')).toThrow(ValidationError);
    expect(() => parseTokenFile('tok,alice\njust-a-token\n', 'tokens.csv')).toThrow(/tokens.csv: line 2/);
  });
});
