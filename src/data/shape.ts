// Checking a modality's declared sample shape against the number of features the data has.
import { UserError } from '../errors';

export function checkShape(declared: number[] | undefined, features: number, where: string): number[] {
  if (!declared) return [features];
  const size = declared.reduce((a, b) => a * b, 1);
  if (size !== features) {
    throw new UserError(`shape [${declared.join(', ')}] holds ${size} values, but the data has ${features} per sample`, { where, hint: 'fix the shape or the column selection' });
  }
  return declared;
}
