/** verifyWebhook: x-api-key and Basic (primero-api.md 7.3), compared in constant time, robust to odd input. */
import { describe, expect, test } from 'vitest';
import { isPrimeroError } from '../../src/index.js';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { parseBasic } from '../../src/webhooks/verify.js';

const KEY = { apiKey: 'k-7f3a9c' };
const BASIC = { basic: { username: 'openfn', password: 's3cret:with-colon' } };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const req = (headers: Record<string, string | string[]>) => ({ headers });

describe('verifyWebhook with { apiKey }', () => {
  test('the right key passes, as Node headers and as fetch Headers', () => {
    expect(verifyWebhook(req({ 'x-api-key': 'k-7f3a9c' }), KEY)).toBe(true);
    expect(verifyWebhook(new Request('http://h/', { headers: { 'X-Api-Key': 'k-7f3a9c' } }), KEY)).toBe(true);
  });
  test('a wrong key, a prefix, a longer key, an empty one or none fails', () => {
    for (const key of ['k-7f3a9d', 'k-7f3a9', 'k-7f3a9c0', '', ' k-7f3a9c']) expect(verifyWebhook(req({ 'x-api-key': key }), KEY)).toBe(false);
    expect(verifyWebhook(req({}), KEY)).toBe(false);
    expect(verifyWebhook(new Request('http://h/'), KEY)).toBe(false);
  });
  test('a repeated header (an array) is refused', () => {
    expect(verifyWebhook(req({ 'x-api-key': ['k-7f3a9c', 'k-7f3a9c'] }), KEY)).toBe(false);
  });
  test('Basic credentials do not satisfy an api key', () => {
    expect(verifyWebhook(req({ authorization: basic('x', 'k-7f3a9c') }), KEY)).toBe(false);
  });
});

describe('verifyWebhook with { basic }', () => {
  test('the right pair passes; the password may contain colons; the scheme is case-insensitive', () => {
    expect(verifyWebhook(req({ authorization: basic('openfn', 's3cret:with-colon') }), BASIC)).toBe(true);
    const encoded = Buffer.from('openfn:s3cret:with-colon').toString('base64');
    expect(verifyWebhook(req({ authorization: `bAsIc   ${encoded}` }), BASIC)).toBe(true);
  });
  test('a wrong user, a wrong password, or the colon moved fails', () => {
    expect(verifyWebhook(req({ authorization: basic('openfm', 's3cret:with-colon') }), BASIC)).toBe(false);
    expect(verifyWebhook(req({ authorization: basic('openfn', 's3cret:with-colo') }), BASIC)).toBe(false);
    expect(verifyWebhook(req({ authorization: `Basic ${Buffer.from('openfn:s3cret:with-colon'.replace('openfn:', 'openfn')).toString('base64')}` }), BASIC)).toBe(false);
  });
  test('malformed headers fail without throwing', () => {
    const odd = [
      'Basic',
      'Basic ',
      'Basic !!!!',
      'Basic abc', // not a multiple of 4
      `Bearer ${Buffer.from('openfn:s3cret:with-colon').toString('base64')}`,
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(':password-only').toString('base64')}`,
      `Basic ${Buffer.from('openfn:s3cret:with-colon').toString('base64')} trailing`,
      `Basic ${'A'.repeat(20_000)}`,
      '\u0000\uffff',
    ];
    for (const authorization of odd) expect(verifyWebhook(req({ authorization }), BASIC)).toBe(false);
    expect(verifyWebhook(req({ authorization: [basic('openfn', 's3cret:with-colon')] }), BASIC)).toBe(false);
    expect(verifyWebhook(req({ 'x-api-key': 's3cret:with-colon' }), BASIC)).toBe(false);
  });
  test('parseBasic splits at the first colon and decodes UTF-8', () => {
    expect(parseBasic(basic('añña', 'p:w'))).toEqual({ username: 'añña', password: 'p:w' });
    expect(parseBasic(`Basic ${Buffer.from('u:').toString('base64')}`)).toEqual({ username: 'u', password: '' });
  });
});

describe('both kinds and several credentials', () => {
  test('a list accepts any of its entries (secret rotation, or one receiver for two webhooks)', () => {
    const both = [KEY, { apiKey: 'next-key' }, BASIC];
    expect(verifyWebhook(req({ 'x-api-key': 'k-7f3a9c' }), both)).toBe(true);
    expect(verifyWebhook(req({ 'x-api-key': 'next-key' }), both)).toBe(true);
    expect(verifyWebhook(req({ authorization: basic('openfn', 's3cret:with-colon') }), both)).toBe(true);
    expect(verifyWebhook(req({ 'x-api-key': 'old' , authorization: basic('openfn', 'nope') }), both)).toBe(false);
  });
  test('unusable configuration is a ConfigurationError that does not quote the secret', () => {
    for (const auth of [[], { apiKey: '' }, { basic: { username: 'a:b', password: 'secret-value' } }, { basic: { username: 'u', password: '' } }, {}] as never[]) {
      let error: unknown;
      try {
        verifyWebhook(req({}), auth);
      } catch (e) {
        error = e;
      }
      expect(isPrimeroError(error, 'ConfigurationError')).toBe(true);
      expect(String((error as Error).message)).not.toContain('secret-value');
    }
  });
});
