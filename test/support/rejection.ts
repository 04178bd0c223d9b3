import { expect } from 'vitest';
import { KsadError } from '../../src/core/errors.js';

/** The KsadError `promise` rejects with; fails the test when it succeeds or throws anything else. */
export async function rejection(promise: Promise<unknown>): Promise<KsadError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KsadError);
    return error as KsadError;
  }
  throw new Error('expected a KsadError, but the call succeeded');
}
